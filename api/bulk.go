package api

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// BulkResendRequest selects the users of a bulk resend: either user_ids or
// filter. The status is always invite_pending.
type BulkResendRequest struct {
	// UserIDs names up to 10,000 users; ids of no user of the organization are reported as skipped (not_found).
	UserIDs []string `json:"user_ids" format:"uuid" example:"01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b" validate:"optional,min=1,max=10000"`
	// Filter selects every invite-pending user it matches ({} for all of them).
	Filter *BulkResendFilter `json:"filter" validate:"optional"`
	// DryRun only counts: 200 with how many users would be re-invited, and nothing changes.
	DryRun bool `json:"dry_run" example:"false" validate:"optional"`
	// ExpiresIn is how long each new link lives, in hours; default the organization's invite_ttl when it is sent.
	ExpiresIn *int `json:"expires_in" minimum:"24" maximum:"720" example:"72" validate:"optional"`
}

// BulkResendFilter has the meaning of the same parameters of GET /users.
type BulkResendFilter struct {
	// Q is a case-insensitive substring of the email or of the full name
	// (first and last name with a space between); a term never spans both.
	Q string `json:"q,omitempty" maxLength:"100" example:"example.org"`
	// InvitedBefore keeps users last invited before this time (RFC 3339).
	InvitedBefore string `json:"invited_before,omitempty" format:"date-time" example:"2026-11-19T00:00:00Z"`
	// DeliveryStatus is a comma-separated list of delivery statuses of the latest invitation.
	DeliveryStatus string `json:"delivery_status,omitempty" maxLength:"200" example:"bounced,deferred"`
	// Role is a comma-separated list of roles.
	Role string `json:"role,omitempty" maxLength:"200" example:"learner"`
}

// typed reads the request's wire format (UUIDs, an RFC 3339 time,
// comma-separated lists) into the service's typed request; what the values
// mean is the service's to judge.
func (req BulkResendRequest) typed() (people.BulkResendRequest, error) {
	r := people.BulkResendRequest{DryRun: req.DryRun, Invite: inviteOptions(req.ExpiresIn)}
	var errs []apperr.FieldError
	if req.UserIDs != nil {
		if err := people.CheckBulkUserIDs(len(req.UserIDs)); err != nil {
			return people.BulkResendRequest{}, err
		}
		r.UserIDs = make([]uuid.UUID, 0, len(req.UserIDs))
		for i, raw := range req.UserIDs {
			id, err := uuid.Parse(raw)
			if err != nil {
				if len(errs) < 20 {
					errs = append(errs, apperr.Field(fmt.Sprintf("user_ids[%d]", i), "invalid", "user_ids[%d] is not a UUID", i))
				}
				continue
			}
			r.UserIDs = append(r.UserIDs, id)
		}
	}
	if f := req.Filter; f != nil {
		q := &query{values: url.Values{"delivery_status": {f.DeliveryStatus}, "role": {f.Role}}}
		r.Filter = &people.BulkFilter{Q: f.Q, InvitedBefore: parseTime("filter.invited_before", f.InvitedBefore, &errs),
			DeliveryStatuses: queryList[people.DeliveryStatus](q, "delivery_status"), Roles: queryList[people.Role](q, "role")}
	}
	if len(errs) > 0 {
		return people.BulkResendRequest{}, apperr.Invalid(errs...)
	}
	return r, nil
}

// BulkResendPreview is what a bulk resend would do if sent now.
type BulkResendPreview struct {
	// DryRun is always true here: it tells this report from the job the
	// same request starts without dry_run, whose dry_run is false.
	DryRun bool `json:"dry_run" enums:"true" example:"true"`
	// Matched is how many users would be sent a fresh invitation.
	Matched int `json:"matched" example:"1240"`
	// Skipped counts the selected users that would be skipped, per reason
	// (not_found, insufficient_rank, invite_not_pending).
	Skipped map[string]int `json:"skipped"`
}

// resendInvites godoc
//
//	@Summary		Resend invitations in bulk
//	@Description	Sends a fresh invitation to many invite-pending users at once, chosen by user_ids (up to 10,000) or by filter. With dry_run the answer is 200 {dry_run: true, matched, skipped} and nothing changes: show the administrator "this will re-invite 1,240 people" before they confirm. Otherwise the selection is frozen when the request is accepted and a job works through it in batches; each user gets exactly what a single resend gives (old links revoked, new invitation, audit event). Users who stopped being pending, outrank the caller, don't exist, or were re-invited after the job was accepted are reported as skipped with a reason. The emails of each batch go to the provider in one call. Follow the job at GET /jobs/{id} (the Location header). Both answers carry dry_run, so a client tells the report (true) from the job (false) by the body alone.
//	@ID				resendInvites
//	@Tags			Bulk
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			Idempotency-Key	header		string				false	"Makes a retry replay the first response for 24 hours"
//	@Param			body			body		BulkResendRequest	true	"The users to re-invite"
//	@Success		200				{object}	BulkResendPreview	"dry_run: what would happen"
//	@Success		202				{object}	JobAccepted			"The job, queued"
//	@Header			202				{string}	Location			"/jobs/{id}"
//	@Failure		400				{object}	Problem				"invalid_request: neither or both of user_ids and filter, too many ids, a bad id or filter value"
//	@Failure		401				{object}	Problem				"unauthorized"
//	@Failure		403				{object}	Problem				"forbidden"
//	@Failure		409				{object}	Problem				"idempotency_key_reused"
//	@Failure		413				{object}	Problem				"payload_too_large"
//	@Failure		415				{object}	Problem				"unsupported_media_type"
//	@Router			/users/resend-invites [post]
func (s *Server) resendInvites(c echo.Context) error {
	var req BulkResendRequest
	raw, err := decodeJSON(c, &req)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	r, err := req.typed()
	if err != nil {
		return err
	}
	if req.DryRun {
		preview, _, err := s.svc.ResendInvites(c.Request().Context(), actor, r)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, BulkResendPreview{DryRun: true, Matched: preview.Matched, Skipped: preview.Skipped})
	}
	return s.idempotent(c, actor, raw, func(ctx context.Context) (response, error) {
		_, job, err := s.svc.ResendInvites(ctx, actor, r)
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusAccepted, body: JobAccepted{Job: jobView(job)}, location: "/jobs/" + job.ID.String()}, nil
	})
}

// ImportUser is one person of a JSON import; a CSV import has the same columns.
type ImportUser struct {
	Email     string `json:"email" format:"email" maxLength:"254" example:"grace.hopper@example.com"`
	FirstName string `json:"first_name" maxLength:"100" example:"Grace" validate:"optional"`
	LastName  string `json:"last_name" maxLength:"100" example:"Hopper" validate:"optional"`
	// Role is one of owner, admin, hr, curator, learner (default learner) and
	// may not rank above the importer's own; any other value fails its row.
	Role string `json:"role" maxLength:"32" example:"learner" validate:"optional"`
	// Locale is the user's language (BCP 47); an empty value is the organization's default_locale.
	Locale string `json:"locale" maxLength:"35" example:"de" validate:"optional"`
}

// ImportRequest is the object form of a JSON import; a bare array of
// ImportUser is accepted too.
type ImportRequest struct {
	Users []ImportUser `json:"users" validate:"min=1,max=50000"`
	// SendInvites and DryRun may also be given as query parameters.
	SendInvites *bool `json:"send_invites" example:"true" validate:"optional"`
	DryRun      *bool `json:"dry_run" example:"false" validate:"optional"`
}

// ImportReport validates an import file row by row (dry_run).
type ImportReport struct {
	// DryRun is always true here: it tells this report from the job the
	// same request starts without dry_run, whose dry_run is false.
	DryRun bool `json:"dry_run" enums:"true" example:"true"`
	Rows   int  `json:"rows" example:"250"`
	// Create is how many rows would create a user.
	Create int `json:"create" example:"244"`
	// Skip is how many rows name an existing user.
	Skip int `json:"skip" example:"4"`
	// Fail is how many rows are invalid.
	Fail int `json:"fail" example:"2"`
	// Problems lists every problem of the rows that would not create a user.
	Problems []ImportProblem `json:"problems"`
}

// ImportProblem is one reason a row would not create a user.
type ImportProblem struct {
	// Row is the CSV line (the header is line 1) or the 1-based index in the JSON array.
	Row     int    `json:"row" example:"7"`
	Email   string `json:"email,omitempty" example:"ada@example"`
	Outcome string `json:"outcome" enums:"failed,skipped" example:"failed"`
	Field   string `json:"field,omitempty" enums:"email,first_name,last_name,role,locale,row" example:"email"`
	Code    string `json:"code" enums:"invalid_email,too_long,invalid,invalid_encoding,field_count,unknown_role,insufficient_rank,duplicate_in_file,already_exists,user_deactivated" example:"invalid_email"`
	Message string `json:"message" example:"email is not a valid email address"`
}

// importUsers godoc
//
//	@Summary		Import users
//	@Description	The batch importer. The body is a CSV file (text/csv: a header row naming the columns email, first_name, last_name, role, locale in any order; UTF-8 with or without BOM; quoted fields; CRLF or LF; blank lines ignored) or JSON (an array of users, or {users, send_invites, dry_run}). At most 10 MiB and 50,000 rows. Every row is validated before anything changes: a bad email, a duplicate within the file, an unknown role or a role above the importer's make the row fail; an email that already belongs to a user skips the row (fails it when that user is deactivated). With dry_run the answer is that report (200, dry_run: true). Otherwise the answer is 202 with the job (dry_run: false), which creates the valid rows in batches, exactly as POST /users would, and with send_invites each new user is invited too.
//	@ID				importUsers
//	@Tags			Bulk
//	@Security		BearerAuth
//	@Accept			text/csv,json
//	@Produce		json
//	@Param			send_invites	query		bool			false	"Invite each created user"	default(false)
//	@Param			dry_run			query		bool			false	"Only validate and report"	default(false)
//	@Param			Idempotency-Key	header		string			false	"Makes a retry replay the first response for 24 hours"
//	@Param			body			body		ImportRequest	true	"The people: CSV, a JSON array of ImportUser, or this object"
//	@Success		200				{object}	ImportReport	"dry_run: the per-row report"
//	@Success		202				{object}	JobAccepted		"The job, queued"
//	@Header			202				{string}	Location		"/jobs/{id}"
//	@Failure		400				{object}	Problem			"invalid_request: malformed CSV or JSON, unknown or missing column, no rows, more than 50,000 rows"
//	@Failure		401				{object}	Problem			"unauthorized"
//	@Failure		403				{object}	Problem			"forbidden"
//	@Failure		409				{object}	Problem			"idempotency_key_reused"
//	@Failure		413				{object}	Problem			"payload_too_large: more than 10 MiB"
//	@Failure		415				{object}	Problem			"unsupported_media_type"
//	@x-text-max-length	10485760
//	@x-request-one-of	[{"type": "array", "items": {"$ref": "#/components/schemas/ImportUser"}, "minItems": 1, "maxItems": 50000}]
//	@x-examples		{"request": "email,first_name,last_name,role\r\ngrace.hopper@example.com,Grace,Hopper,learner\r\n\"katherine.johnson@example.com\",\"Katherine\",\"Johnson, Jr.\",hr\r\n"}
//	@Router			/users/import [post]
func (s *Server) importUsers(c echo.Context) error {
	if err := allowQuery(c, "send_invites", "dry_run"); err != nil {
		return err
	}
	sendInvites, err := queryBool(c, "send_invites")
	if err != nil {
		return err
	}
	dryRun, err := queryBool(c, "dry_run")
	if err != nil {
		return err
	}
	if err := requireMediaType(c, "text/csv", "application/json"); err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	imp := people.Import{Format: "json", SendInvites: sendInvites != nil && *sendInvites, DryRun: dryRun != nil && *dryRun}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt == "text/csv" {
		imp.Format = "csv"
		if imp.Rows, err = people.ParseImportCSV(bytes.NewReader(body)); err != nil {
			return err
		}
	} else {
		parsed, err := people.ParseImportJSON(body)
		if err != nil {
			return err
		}
		imp.Rows = parsed.Users
		if imp.SendInvites, err = option("send_invites", sendInvites, parsed.SendInvites); err != nil {
			return err
		}
		if imp.DryRun, err = option("dry_run", dryRun, parsed.DryRun); err != nil {
			return err
		}
	}
	actor := actorOf(c)
	if imp.DryRun {
		report, _, err := s.svc.ImportUsers(c.Request().Context(), actor, imp)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, importReportView(report))
	}
	// The options in the query string are part of the request a retry must repeat.
	keyed := append([]byte(c.QueryString()+"\n"), body...)
	return s.idempotent(c, actor, keyed, func(ctx context.Context) (response, error) {
		_, job, err := s.svc.ImportUsers(ctx, actor, imp)
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusAccepted, body: JobAccepted{Job: jobView(job)}, location: "/jobs/" + job.ID.String()}, nil
	})
}

func importReportView(r people.ImportReport) ImportReport {
	out := ImportReport{DryRun: true, Rows: r.Rows, Create: r.Create, Skip: r.Skip, Fail: r.Fail, Problems: make([]ImportProblem, len(r.Problems))}
	for i, p := range r.Problems {
		out.Problems[i] = ImportProblem{Row: p.Row, Email: p.Email, Outcome: string(p.Outcome), Field: p.Field, Code: p.Code, Message: p.Message}
	}
	return out
}

// queryBool reads an optional true/false query parameter.
func queryBool(c echo.Context, name string) (*bool, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return nil, apperr.Invalid(apperr.Field(name, "invalid", "%s must be true or false, got %q", name, raw))
	}
	return &b, nil
}

// option merges an option given in the query and in the body; they must agree.
func option(name string, query, body *bool) (bool, error) {
	switch {
	case query != nil && body != nil && *query != *body:
		return false, apperr.Invalid(apperr.Field(name, "conflict", "%s is %t in the query and %t in the body", name, *query, *body))
	case query != nil:
		return *query, nil
	case body != nil:
		return *body, nil
	}
	return false, nil
}
