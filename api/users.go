package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// listUsers godoc
//
//	@Summary		List users
//	@Description	Pages the organization's users, newest first by default. Filters combine with AND; each takes a comma-separated list (or the parameter repeated). Paging is by an opaque cursor that neither skips nor repeats a user while others are added. No total is computed per page: use GET /users/counts for the filter tabs.
//	@ID				listUsers
//	@Tags			People
//	@Security		BearerAuth
//	@Produce		json
//	@Param			status			query		[]string	false	"Statuses to include, comma-separated (the people screen's tabs)"	collectionFormat(csv)									Enums(invite_pending, confirmed, deactivated)
//	@Param			q				query		string		false	"Case-insensitive substring of the email or of the full name (first and last name with a space between); a term never spans email and name"			maxLength(100)											example(lovelace)
//	@Param			role			query		[]string	false	"Roles to include, comma-separated"									collectionFormat(csv)									Enums(owner, admin, hr, curator, learner)
//	@Param			delivery_status	query		[]string	false	"Delivery statuses of the latest invitation, comma-separated"		collectionFormat(csv)									Enums(queued, sending, sent, delivered, deferred, bounced, blocked, dropped, spam_report, failed, by_hand)
//	@Param			invited_before	query		string		false	"Only users last invited before this time (RFC 3339)"				format(date-time)										example(2026-11-19T00:00:00Z)
//	@Param			invited_by		query		string		false	"Only users whose latest invitation this people manager sent (a user id)"	format(uuid)	example(01a21560-7b2c-7d3e-8f40-5a6b7c8d9e0f)
//	@Param			sort			query		string		false	"Order; every order ends with the id, so it is total"				Enums(-created_at, created_at, email, -last_invited_at)	default(-created_at)
//	@Param			limit			query		int			false	"Page size"															minimum(1)												maximum(200)	default(50)
//	@Param			cursor			query		string		false	"next_cursor of the previous page, with the same filters and sort"	maxLength(512)
//	@Success		200				{object}	UserList	"A page of users"
//	@Failure		400				{object}	Problem		"invalid_request: unknown parameter, filter value or cursor (errors names it and the allowed values)"
//	@Failure		401				{object}	Problem		"unauthorized"
//	@Failure		403				{object}	Problem		"forbidden"
//	@Router			/users [get]
func (s *Server) listUsers(c echo.Context) error {
	if err := allowQuery(c, "status", "q", "role", "delivery_status", "invited_before", "invited_by", "sort", "limit", "cursor"); err != nil {
		return err
	}
	q, err := UserQuery(c.QueryParams())
	if err != nil {
		return err
	}
	// The page is read into a buffer of the pool, given back once its JSON
	// is written (people.PageBuffer); nothing keeps the page after that.
	q.Into = pageBuffers.Get().(*people.PageBuffer)
	defer pageBuffers.Put(q.Into)
	actor, page, err := s.svc.ListUsersSignedIn(c.Request().Context(), claimsOf(c), q)
	if err != nil {
		return err
	}
	c.Set(actorKey, actor) // for the request log, as authenticate would
	return writeJSON(c, http.StatusOK, userPage{users: page.Users, now: s.svc.Now(), next: cursorPtr(page.NextCursor), hasMore: page.HasMore})
}

// pageBuffers are the memory pages of users are read into (listUsers).
var pageBuffers = sync.Pool{New: func() any { return new(people.PageBuffer) }}

// UserQuery reads the query parameters of GET /users into a typed query.
func UserQuery(values url.Values) (people.UserQuery, error) {
	q := &query{values: values}
	uq := people.UserQuery{
		Statuses: queryList[people.Status](q, "status"), Roles: queryList[people.Role](q, "role"),
		DeliveryStatuses: queryList[people.DeliveryStatus](q, "delivery_status"), Q: q.string("q"),
		InvitedBefore: q.time("invited_before"), InvitedBy: q.uuid("invited_by"), Sort: people.UserSort(q.string("sort")), Limit: q.limit("limit", people.MaxPageSize),
		Cursor: q.string("cursor"),
	}
	return uq, q.err()
}

// countUsers godoc
//
//	@Summary		Count users per status
//	@Description	Counts for the status filter tabs of the people screen.
//	@ID				countUsers
//	@Tags			People
//	@Security		BearerAuth
//	@Produce		json
//	@Success		200	{object}	UserCounts	"Users per status"
//	@Failure		401	{object}	Problem		"unauthorized"
//	@Failure		403	{object}	Problem		"forbidden"
//	@Router			/users/counts [get]
func (s *Server) countUsers(c echo.Context) error {
	counts, err := s.svc.CountUsers(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, UserCounts{InvitePending: counts[people.InvitePending],
		Confirmed: counts[people.Confirmed], Deactivated: counts[people.Deactivated]})
}

// getUser godoc
//
//	@Summary		Get a user
//	@Description	The user, with the verdict on their address's domain when it is not healthy (domain_health).
//	@ID				getUser
//	@Tags		People
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id	path		string	true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Success	200	{object}	User	"The user"
//	@Failure	401	{object}	Problem	"unauthorized"
//	@Failure	403	{object}	Problem	"forbidden"
//	@Failure	404	{object}	Problem	"not_found: no such user in your organization"
//	@Router		/users/{id} [get]
func (s *Server) getUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	u, err := s.svc.GetUser(ctx, actor, id)
	if err != nil {
		return err
	}
	h, err := s.svc.UserDomainHealth(ctx, actor, u)
	if err != nil {
		return err
	}
	v := userView(u, s.svc.Now())
	if h.Verdict != people.DomainHealthy {
		v.DomainHealth = &UserDomainHealth{Domain: h.Domain, Verdict: string(h.Verdict), Advice: h.Verdict.Advice()}
	}
	return writeJSON(c, http.StatusOK, v)
}

// CreateUserRequest adds a user to the organization.
type CreateUserRequest struct {
	Email     string `json:"email" format:"email" maxLength:"254" example:"grace.hopper@example.com" validate:"required"`
	FirstName string `json:"first_name" maxLength:"100" example:"Grace" validate:"optional"`
	LastName  string `json:"last_name" maxLength:"100" example:"Hopper" validate:"optional"`
	// Role defaults to learner; it may not rank above the caller's own.
	Role        string   `json:"role" enums:"owner,admin,hr,curator,learner" default:"learner" example:"learner" validate:"optional"`
	Permissions []string `json:"permissions" enums:"people" validate:"optional"`
	// Locale is the user's language (BCP 47, such as de or pt-BR); default the organization's default_locale.
	Locale string `json:"locale" maxLength:"35" example:"de" validate:"optional"`
	// SendInvite emails an activation link at once (default true).
	SendInvite *bool `json:"send_invite" default:"true" example:"true" validate:"optional"`
	// ExpiresIn is how long that link lives, in hours; default the organization's invite_ttl.
	ExpiresIn *int `json:"expires_in" minimum:"24" maximum:"720" example:"72" validate:"optional"`
}

// createUser godoc
//
//	@Summary		Create a user
//	@Description	Adds an invite-pending user and, unless send_invite is false, emails the first invitation. With an Idempotency-Key a retried request returns the first response instead of creating the user twice.
//	@ID				createUser
//	@Tags			People
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			Idempotency-Key	header		string				false	"Makes a retry replay the first response"
//	@Param			body			body		CreateUserRequest	true	"The user"
//	@Success		201				{object}	User				"The user, invite-pending"
//	@Failure		400				{object}	Problem				"invalid_request: invalid field (errors lists each) or malformed Idempotency-Key"
//	@Failure		401				{object}	Problem				"unauthorized"
//	@Failure		403				{object}	Problem				"forbidden, insufficient_rank"
//	@Failure		409				{object}	Problem				"email_taken, idempotency_key_reused"
//	@Failure		413				{object}	Problem				"payload_too_large"
//	@Failure		415				{object}	Problem				"unsupported_media_type"
//	@Router			/users [post]
func (s *Server) createUser(c echo.Context) error {
	var req CreateUserRequest
	raw, err := decodeJSON(c, &req)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	n := people.NewUser{Email: req.Email, FirstName: req.FirstName, LastName: req.LastName, Role: people.Role(req.Role),
		Locale: req.Locale, NoInvite: req.SendInvite != nil && !*req.SendInvite, Invite: inviteOptions(req.ExpiresIn)}
	for _, p := range req.Permissions {
		n.Permissions = append(n.Permissions, people.Permission(p))
	}
	return s.idempotent(c, actor, raw, func(ctx context.Context) (response, error) {
		u, err := s.svc.CreateUser(ctx, actor, n)
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusCreated, body: userView(u, s.svc.Now()), location: "/users/" + u.ID.String()}, nil
	})
}

// UpdateUserRequest changes some of a user's fields; absent fields stay.
type UpdateUserRequest struct {
	// Email can change only while the user is invite_pending; it voids their live links.
	Email     *string `json:"email" format:"email" maxLength:"254" example:"grace.hopper@example.org" validate:"optional"`
	FirstName *string `json:"first_name" maxLength:"100" example:"Grace" validate:"optional"`
	LastName  *string `json:"last_name" maxLength:"100" example:"Hopper" validate:"optional"`
	// Role may not rank above the caller's own; nobody changes their own role.
	Role        *string   `json:"role" enums:"owner,admin,hr,curator,learner" example:"hr" validate:"optional"`
	Permissions *[]string `json:"permissions" enums:"people" validate:"optional"`
	// Locale is the user's language (BCP 47); their next invitation email is in it.
	Locale *string `json:"locale" maxLength:"35" example:"pt-BR" validate:"optional"`
}

// updateUser godoc
//
//	@Summary		Edit a user
//	@Description	Changes names, email, language, role or permissions. Changing the email of an invite-pending user revokes their live invitation links (send a new one with resend-invite); a confirmed user's email cannot be changed here.
//	@ID				updateUser
//	@Tags			People
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			id		path		string				true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Param			body	body		UpdateUserRequest	true	"Fields to change"
//	@Success		200		{object}	User				"The user, changed"
//	@Failure		400		{object}	Problem				"invalid_request"
//	@Failure		401		{object}	Problem				"unauthorized"
//	@Failure		403		{object}	Problem				"forbidden (changing your own role), insufficient_rank"
//	@Failure		404		{object}	Problem				"not_found"
//	@Failure		409		{object}	Problem				"email_taken, email_change_not_allowed (user_status names the current status)"
//	@Failure		413		{object}	Problem				"payload_too_large"
//	@Failure		415		{object}	Problem				"unsupported_media_type"
//	@Router			/users/{id} [patch]
func (s *Server) updateUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req UpdateUserRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := people.UserPatch{Email: req.Email, FirstName: req.FirstName, LastName: req.LastName, Locale: req.Locale}
	if req.Role != nil {
		p.Role = new(people.Role(*req.Role))
	}
	if req.Permissions != nil {
		ps := make([]people.Permission, 0, len(*req.Permissions))
		for _, x := range *req.Permissions {
			ps = append(ps, people.Permission(x))
		}
		p.Permissions = &ps
	}
	u, err := s.svc.UpdateUser(c.Request().Context(), actorOf(c), id, p)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, userView(u, s.svc.Now()))
}

// resendInvite godoc
//
//	@Summary		Resend an invitation
//	@Description	Sends a fresh invitation with a new link to an invite-pending user, valid for expires_in hours (default the organization's invite_ttl). In the same transaction every earlier link is revoked: it stops working the moment this returns. There is no limit on resends. When the previous email bounced, was dropped or blocked, the answer carries a warning suggesting to fix the address or set a password instead. With an Idempotency-Key a retried request returns the first response instead of sending another email.
//	@ID				resendInvite
//	@Tags			Invitations
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id				path		string			true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Param			Idempotency-Key	header		string			false	"Makes a retry replay the first response"
//	@Param			expires_in		query		int				false	"Lifetime of the new link in hours; default the organization's invite_ttl"	minimum(24)	maximum(720)	example(72)
//	@Success		202				{object}	ResendResult	"The new invitation; its email is on its way"
//	@Failure		400				{object}	Problem			"invalid_request: expires_in out of range, malformed Idempotency-Key"
//	@Failure		401				{object}	Problem			"unauthorized"
//	@Failure		403				{object}	Problem			"forbidden, insufficient_rank"
//	@Failure		404				{object}	Problem			"not_found"
//	@Failure		409				{object}	Problem			"invite_not_pending (user_status names the current status), idempotency_key_reused"
//	@x-examples		{"202": {"invite": {"id": "01a21569-3b4c-7d5e-8f60-7a8b9c0d1e2f", "sent_count": 3, "created_by": "01a21560-7b2c-7d3e-8f40-5a6b7c8d9e0f", "created_at": "2026-11-25T10:12:40Z", "last_sent_at": null, "expires_at": "2026-12-02T10:12:40Z", "state": "live", "revoked_at": null, "accepted_at": null, "delivery": {"status": "queued", "updated_at": "2026-11-25T10:12:40Z", "attempts": 0}}, "warnings": [{"code": "previous_delivery_bounced", "message": "The previous invitation to ada.lovelace@gmial.com was bounced (550 5.1.1 The email account that you tried to reach does not exist). Check the address for typos, or set a password for the user instead."}, {"code": "email_suggestion", "message": "The address ada.lovelace@gmial.com may contain a typo: did you mean ada.lovelace@gmail.com?"}]}}
//	@Router			/users/{id}/resend-invite [post]
func (s *Server) resendInvite(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	opts, query, err := inviteQuery(c)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	return s.idempotent(c, actor, query, func(ctx context.Context) (response, error) {
		inv, warnings, err := s.svc.ResendInvite(ctx, actor, id, opts)
		if err != nil {
			return response{}, err
		}
		res := ResendResult{Invite: inviteView(inv, s.svc.Now()), Warnings: []Warning{}}
		for _, w := range warnings {
			res.Warnings = append(res.Warnings, Warning{Code: w.Code, Message: w.Message})
		}
		return response{status: http.StatusAccepted, body: res}, nil
	})
}

// inviteQuery reads the options of a new invitation from the query
// (expires_in, in hours), and returns the query as the part of the request
// an Idempotency-Key is bound to.
func inviteQuery(c echo.Context) (people.InviteOptions, []byte, error) {
	if err := allowQuery(c, "expires_in"); err != nil {
		return people.InviteOptions{}, nil, err
	}
	raw := c.QueryParam("expires_in")
	if raw == "" {
		return people.InviteOptions{}, nil, nil
	}
	hours, err := strconv.Atoi(raw)
	if err != nil {
		return people.InviteOptions{}, nil, apperr.Invalid(apperr.Field("expires_in", "invalid",
			"expires_in must be a whole number of hours from 24 to 720, got %q", raw))
	}
	return inviteOptions(&hours), []byte("expires_in=" + strconv.Itoa(hours)), nil
}

// inviteOptions turns the API's expires_in, in hours, into the service's options.
func inviteOptions(expiresIn *int) people.InviteOptions {
	if expiresIn == nil {
		return people.InviteOptions{}
	}
	// The service refuses a count out of range; one so far out that it
	// would overflow a duration is refused as out of range too.
	hours := *expiresIn
	if hours < -1 || hours > 1_000_000 {
		hours = -1
	}
	return people.InviteOptions{ExpiresIn: new(time.Duration(hours) * time.Hour)}
}

// InviteLinkResult is a fresh invitation whose link the caller hands over.
type InviteLinkResult struct {
	Invite Invite `json:"invite"`
	// URL is the activation link. It is as sensitive as a password: whoever
	// has it can activate the account. It is in this answer only: the
	// service stores, logs and mails it nowhere, and a replay of this
	// request under its Idempotency-Key leaves it out (url_withheld).
	URL string `json:"url,omitempty" format:"uri" example:"https://app.example.com/activate?token=AQGiMNR3nXeJvNhLbI_yAAoCdDF0f7c10A6vpt89QlHi"`
	// URLWithheld is true in a replay: the link was shown only in the first
	// answer. Issue a new one (without that Idempotency-Key), which revokes it.
	URLWithheld bool `json:"url_withheld" example:"false"`
}

// issueInviteLink godoc
//
//	@Summary		Issue an invitation link to hand over
//	@Description	Creates a fresh invitation exactly as a resend does (every earlier link is revoked in the same transaction) but sends no email: the answer carries the activation URL for the caller to hand over themselves, for example when the person's mail server blocks the invitations. The URL is as sensitive as a password: share it only with the person, over a channel you trust. It is answered once: the service keeps it nowhere (not in the database, the job queue, the audit trail or the logs), and a retry with the same Idempotency-Key replays the invitation with url left out and url_withheld true instead of issuing another link. The invitation's delivery.status is by_hand. Audited as invite.link_issued.
//	@ID				issueInviteLink
//	@Tags			Invitations
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id				path		string				true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Param			Idempotency-Key	header		string				false	"Makes a retry replay the first response, without the URL"
//	@Param			expires_in		query		int					false	"Lifetime of the link in hours; default the organization's invite_ttl"	minimum(24)	maximum(720)	example(72)
//	@Success		201				{object}	InviteLinkResult	"The new invitation and its activation URL; Location is the user's invitation history"
//	@Header			201				{string}	Cache-Control		"no-store"
//	@Failure		400				{object}	Problem				"invalid_request: expires_in out of range, malformed Idempotency-Key"
//	@Failure		401				{object}	Problem				"unauthorized"
//	@Failure		403				{object}	Problem				"forbidden, insufficient_rank"
//	@Failure		404				{object}	Problem				"not_found"
//	@Failure		409				{object}	Problem				"invite_not_pending (user_status names the current status), idempotency_key_reused"
//	@Router			/users/{id}/invite-link [post]
func (s *Server) issueInviteLink(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	opts, query, err := inviteQuery(c)
	if err != nil {
		return err
	}
	// The answer holds a secret: no cache along the way may keep it.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	actor := actorOf(c)
	return s.idempotent(c, actor, query, func(ctx context.Context) (response, error) {
		inv, url, err := s.svc.IssueInviteLink(ctx, actor, id, opts)
		if err != nil {
			return response{}, err
		}
		view := inviteView(inv, s.svc.Now())
		return response{status: http.StatusCreated, body: InviteLinkResult{Invite: view, URL: url},
			replay: InviteLinkResult{Invite: view, URLWithheld: true}, location: "/users/" + id.String() + "/invites"}, nil
	})
}

// revokeInvite godoc
//
//	@Summary		Revoke an invitation
//	@Description	Voids the user's live invitation link without deactivating them: the link stops working the moment this returns (it answers 410 invite_revoked with reason revoked), and the user stays invite_pending until they are invited again with resend-invite or invite-link. Nothing is sent to the user. Audited as invite.revoked.
//	@ID				revokeInvite
//	@Tags			Invitations
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Success		200	{object}	User	"The user, still invite-pending, with the revoked invitation"
//	@Failure		401	{object}	Problem	"unauthorized"
//	@Failure		403	{object}	Problem	"forbidden, insufficient_rank"
//	@Failure		404	{object}	Problem	"not_found"
//	@Failure		409	{object}	Problem	"invite_not_live (invite_state names the state of the latest invitation)"
//	@Router			/users/{id}/revoke-invite [post]
func (s *Server) revokeInvite(c echo.Context) error {
	return s.userAction(c, s.svc.RevokeInvite)
}

// SetPasswordRequest sets a user's password: either password, or generate.
type SetPasswordRequest struct {
	// Password must pass the password policy; it is never echoed back.
	Password string `json:"password" minLength:"12" maxLength:"128" example:"correct-horse-battery-staple" validate:"optional"`
	// Generate asks the service to choose a strong password and return it once.
	Generate bool `json:"generate" default:"false" example:"false" validate:"optional"`
	// Temporary makes the user change the password at next sign-in (default true).
	Temporary *bool `json:"temporary" default:"true" example:"true" validate:"optional"`
}

// setPassword godoc
//
//	@Summary		Set a user's password
//	@Description	The alternative when email does not get through: an invite-pending user becomes confirmed and every live invitation link is revoked. By default the password is temporary, and the user must change it after signing in. Send either password or generate: true; a generated password is returned once, in this response only.
//	@ID				setPassword
//	@Tags			People
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			id		path		string				true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Param			body	body		SetPasswordRequest	true	"The password"
//	@Success		200		{object}	SetPasswordResult	"The user, confirmed"
//	@Failure		400		{object}	Problem				"invalid_request (neither or both of password and generate), weak_password (errors lists every failed rule)"
//	@Failure		401		{object}	Problem				"unauthorized"
//	@Failure		403		{object}	Problem				"forbidden, insufficient_rank"
//	@Failure		404		{object}	Problem				"not_found"
//	@Failure		409		{object}	Problem				"user_deactivated"
//	@Failure		413		{object}	Problem				"payload_too_large"
//	@Failure		415		{object}	Problem				"unsupported_media_type"
//	@Router			/users/{id}/password [put]
func (s *Server) setPassword(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req SetPasswordRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, generated, err := s.svc.SetPassword(c.Request().Context(), actorOf(c), id, people.NewPassword{
		Password: req.Password, Generate: req.Generate, Permanent: req.Temporary != nil && !*req.Temporary,
	})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, SetPasswordResult{User: userView(u, s.svc.Now()), Password: generated})
}

// deactivateUser godoc
//
//	@Summary		Deactivate a user
//	@Description	The user can no longer sign in and every live invitation link is revoked.
//	@ID				deactivateUser
//	@Tags			People
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Success		200	{object}	User	"The user, deactivated"
//	@Failure		401	{object}	Problem	"unauthorized"
//	@Failure		403	{object}	Problem	"forbidden (also for yourself), insufficient_rank"
//	@Failure		404	{object}	Problem	"not_found"
//	@Failure		409	{object}	Problem	"user_deactivated"
//	@Router			/users/{id}/deactivate [post]
func (s *Server) deactivateUser(c echo.Context) error {
	return s.userAction(c, s.svc.Deactivate)
}

// reactivateUser godoc
//
//	@Summary		Reactivate a user
//	@Description	A deactivated user becomes confirmed again, or invite-pending if they never had a password. Nothing is sent: resend an invitation if needed.
//	@ID				reactivateUser
//	@Tags			People
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Success		200	{object}	User	"The user, confirmed or invite-pending again"
//	@Failure		401	{object}	Problem	"unauthorized"
//	@Failure		403	{object}	Problem	"forbidden, insufficient_rank"
//	@Failure		404	{object}	Problem	"not_found"
//	@Failure		409	{object}	Problem	"user_not_deactivated"
//	@Router			/users/{id}/reactivate [post]
func (s *Server) reactivateUser(c echo.Context) error {
	return s.userAction(c, s.svc.Reactivate)
}

// userAction answers an action on one user of the path with the user as it stands after it.
func (s *Server) userAction(c echo.Context, change func(context.Context, people.Actor, uuid.UUID) (people.User, error)) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := change(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, userView(u, s.svc.Now()))
}

// inviteHistory godoc
//
//	@Summary		List a user's invitations
//	@Description	Every invitation the user was sent, newest first, with its state and what became of its email.
//	@ID				listUserInvites
//	@Tags			Invitations
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string		true	"User id"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Success		200	{object}	InviteList	"The invitations, newest first"
//	@Failure		401	{object}	Problem		"unauthorized"
//	@Failure		403	{object}	Problem		"forbidden"
//	@Failure		404	{object}	Problem		"not_found"
//	@Router			/users/{id}/invites [get]
func (s *Server) inviteHistory(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	invites, err := s.svc.InviteHistory(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	now := s.svc.Now()
	out := InviteList{Data: make([]Invite, len(invites))}
	for i, inv := range invites {
		out.Data[i] = inviteView(inv, now)
	}
	return writeJSON(c, http.StatusOK, out)
}
