package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
)

// Problem is an RFC 9457 problem detail, the body of every error response.
type Problem struct {
	// Type is a URI reference to the documentation of the problem's code.
	Type   string `json:"type" format:"uri-reference" example:"/problems/invite_not_pending"`
	Title  string `json:"title" example:"User is not invite-pending"`
	Status int    `json:"status" example:"409"`
	Detail string `json:"detail" example:"Invitations can only be resent to invite-pending users; this user is confirmed."`
	// Code is the stable identifier clients switch on.
	Code      string `json:"code" example:"invite_not_pending"`
	RequestID string `json:"request_id" example:"01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"`
	// Errors lists each invalid field of a request.
	Errors []apperr.FieldError `json:"errors,omitempty"`
	// UserStatus is the user's current status, for conflicts about it.
	UserStatus string `json:"user_status,omitempty" enums:"invite_pending,confirmed,deactivated"`
	// Renewable tells whether an expired invitation can be renewed.
	Renewable *bool `json:"renewable,omitempty"`
	// Reason says why an invitation was revoked.
	Reason string `json:"reason,omitempty" example:"superseded"`
	// ExpiredAt is when an expired invitation stopped working.
	ExpiredAt *time.Time `json:"expired_at,omitempty" format:"date-time"`
	// ExpiresAt is when a still valid invitation stops working.
	ExpiresAt *time.Time `json:"expires_at,omitempty" format:"date-time"`
	// ActorRole and TargetRole explain an insufficient_rank refusal.
	ActorRole  string `json:"actor_role,omitempty" enums:"owner,admin,hr,curator,learner"`
	TargetRole string `json:"target_role,omitempty" enums:"owner,admin,hr,curator,learner"`
	// JobState is a bulk job's final state, for job_finished.
	JobState string `json:"job_state,omitempty" enums:"succeeded,partially_failed,failed,cancelled"`
	// InviteState is the state of the user's latest invitation, for
	// invite_not_live (none: never invited).
	InviteState string `json:"invite_state,omitempty" enums:"expired,revoked,accepted,none"`
}

// MediaTypeProblem is the content type of error responses.
const MediaTypeProblem = "application/problem+json"

// handleError is the service's one error handler: every error, whether the
// application's, Echo's own (404, 405, 413) or a panic, leaves as problem+json
// with a stable code. Causes of server errors are logged, never sent.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ae := s.appError(err)
	entry := apperr.Lookup(ae.Code)
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if entry.Status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "request_id", rid, "code", ae.Code, "error", err)
	}
	p := Problem{Type: "/problems/" + string(entry.Code), Title: entry.Title, Status: entry.Status, Detail: ae.Message,
		Code: string(entry.Code), RequestID: rid, Errors: ae.Fields}
	if entry.Status >= 500 && ae.Code == apperr.CodeInternal {
		p.Detail = "An unexpected error occurred. Quote the request id when reporting it."
	}
	fillExtensions(&p, ae.Extra)
	h := c.Response().Header()
	if ae.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((ae.RetryAfter+time.Second-1)/time.Second)))
	}
	if entry.Status == http.StatusUnauthorized && ae.Code != apperr.InvalidCredentials && ae.Code != apperr.InvalidSignature {
		h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="invited"`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(entry.Status)
		return
	}
	h.Set(echo.HeaderContentType, MediaTypeProblem)
	c.Response().WriteHeader(entry.Status)
	if err := encodeJSON(c.Response(), p); err != nil {
		s.log.WarnContext(c.Request().Context(), "write problem", "request_id", rid, "error", err)
	}
}

// appError maps any error to the application error it stands for.
func (s *Server) appError(err error) *apperr.Error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return apperr.Internal(err)
	}
	msg := fmt.Sprint(he.Message)
	switch he.Code {
	case http.StatusNotFound:
		return apperr.New(apperr.NotFound, "No such resource.")
	case http.StatusMethodNotAllowed:
		return apperr.New(apperr.MethodNotAllowed, "This path does not accept that method; see the Allow header.")
	case http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.PayloadTooLarge, "The request body is too large.")
	case http.StatusUnsupportedMediaType:
		return apperr.New(apperr.UnsupportedMediaType, "%s", msg)
	case http.StatusUnauthorized:
		return apperr.New(apperr.Unauthorized, "Authentication required.")
	case http.StatusForbidden:
		return apperr.New(apperr.Forbidden, "Forbidden.")
	case http.StatusTooManyRequests:
		return apperr.New(apperr.RateLimited, "Too many requests.")
	case http.StatusServiceUnavailable:
		return apperr.New(apperr.Unavailable, "The service is unavailable.")
	case http.StatusBadRequest:
		return apperr.New(apperr.InvalidRequest, "%s", msg)
	}
	return apperr.Internal(err)
}

// fillExtensions copies the documented extension members of an error.
func fillExtensions(p *Problem, extra map[string]any) {
	for k, v := range extra {
		switch k {
		case "user_status", "reason", "actor_role", "target_role", "job_state", "invite_state":
			s := fmt.Sprint(v)
			switch k {
			case "user_status":
				p.UserStatus = s
			case "job_state":
				p.JobState = s
			case "invite_state":
				p.InviteState = s
			case "reason":
				p.Reason = s
			case "actor_role":
				p.ActorRole = s
			default:
				p.TargetRole = s
			}
		case "renewable":
			if b, ok := v.(bool); ok {
				p.Renewable = &b
			}
		case "expired_at", "expires_at":
			if t, ok := v.(time.Time); ok {
				t = t.UTC()
				if k == "expired_at" {
					p.ExpiredAt = &t
				} else {
					p.ExpiresAt = &t
				}
			}
		}
	}
}
