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
	// The extension members of some codes (see each code's page).
	apperr.Extensions
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
		Code: string(entry.Code), RequestID: rid, Errors: ae.Fields, Extensions: ae.Ext}
	if entry.Status >= 500 && ae.Code == apperr.CodeInternal {
		p.Detail = "An unexpected error occurred. Quote the request id when reporting it."
	}
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
		return apperr.Internal("api: unhandled error", err)
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
	return apperr.Internal("api: unhandled HTTP error", err)
}
