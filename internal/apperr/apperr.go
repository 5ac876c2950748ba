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
	// Extra holds problem extension members, such as the user's current
	// status for invite_not_pending or renewable for invite_expired.
	Extra map[string]any
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

// Internal wraps an unexpected failure; clients see only that it happened.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "An unexpected error occurred.", Err: err}
}

// With adds an extension member and returns e.
func (e *Error) With(key string, value any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[key] = value
	return e
}

// As returns the *Error in err's chain, or an internal error wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// Is reports whether err carries code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
