// Package apperr is the service's one error type. Every error a client may
// see carries a stable Code that programs switch on, a Message that is safe
// to show, and optionally the internal cause, which is logged and never sent.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable, snake_case identifier of a kind of failure.
type Code string

// FieldError points at one invalid part of a request.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is an application error.
type Error struct {
	Code    Code
	Message string
	// Fields lists every invalid input, for validation failures.
	Fields []FieldError
	// Ext holds the problem's extension members, such as the user's
	// current status for invite_not_pending or renewable for invite_expired.
	Ext Extensions
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Err is the internal cause: logged for server errors, never sent.
	Err error
}

// Error describes the error for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a safe message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an invalid_request error listing the offending fields.
func Invalid(fields ...FieldError) *Error {
	msg := "The request is invalid."
	if len(fields) == 1 {
		msg = fields[0].Message
	}
	return &Error{Code: InvalidRequest, Message: msg, Fields: fields}
}

// Field is shorthand for a FieldError.
func Field(field, code, format string, args ...any) FieldError {
	return FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure of the operation op, such as
// "people.SetPassword: hash": clients see only that it happened, the log
// line says what failed and why ("op: cause").
func Internal(op string, err error) *Error {
	return &Error{Code: CodeInternal, Message: "An unexpected error occurred.", Err: fmt.Errorf("%s: %w", op, err)}
}

// Wrap, deferred by a function with a named error result, names the
// operation in an unexpected failure that leaves it, as pkgsite's
// derrors.Wrap does: an internal error's cause gains the prefix "op: ", an
// error that is not an application error becomes an internal one naming
// op, and the errors meant for the client pass untouched.
func Wrap(errp *error, op string) {
	if *errp == nil {
		return
	}
	var e *Error
	switch {
	case !errors.As(*errp, &e):
		*errp = Internal(op, *errp)
	case e.Code == CodeInternal:
		wrapped := *e
		wrapped.Err = fmt.Errorf("%s: %w", op, e.Err)
		*errp = &wrapped
	}
}

// Extensions are the members a problem may carry besides the standard
// ones, each for the codes whose catalogue entry names it. They are the
// problem body's own members (api.Problem embeds them), so what the service
// sets is what the client reads.
type Extensions struct {
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

// WithUserStatus names the user's current status and returns e.
func (e *Error) WithUserStatus(status string) *Error {
	e.Ext.UserStatus = status
	return e
}

// WithRevokeReason says why an invitation was revoked and returns e.
func (e *Error) WithRevokeReason(reason string) *Error {
	e.Ext.Reason = reason
	return e
}

// WithExpired says when an expired invitation stopped working and whether
// it can be renewed, and returns e.
func (e *Error) WithExpired(at time.Time, renewable bool) *Error {
	at = at.UTC()
	e.Ext.ExpiredAt, e.Ext.Renewable = &at, &renewable
	return e
}

// WithExpiresAt says when a still valid invitation stops working and returns e.
func (e *Error) WithExpiresAt(at time.Time) *Error {
	at = at.UTC()
	e.Ext.ExpiresAt = &at
	return e
}

// WithRoles names the roles of a refused rank comparison and returns e.
func (e *Error) WithRoles(actor, target string) *Error {
	e.Ext.ActorRole, e.Ext.TargetRole = actor, target
	return e
}

// WithJobState names a bulk job's final state and returns e.
func (e *Error) WithJobState(state string) *Error {
	e.Ext.JobState = state
	return e
}

// WithInviteState names the state of the user's latest invitation and returns e.
func (e *Error) WithInviteState(state string) *Error {
	e.Ext.InviteState = state
	return e
}

// As returns the *Error in err's chain, or an internal error wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternal, Message: "An unexpected error occurred.", Err: err}
}

// Is reports whether err carries code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
