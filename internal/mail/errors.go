package mail

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxReasonLen bounds Error.Reason: it ends up in logs and job records, and a
// provider that answers with a whole HTML page must not flood them.
const maxReasonLen = 300

// Error classifies a failed send so the job worker can retry or give up.
type Error struct {
	// Permanent is true when retrying cannot help: the provider refused the
	// request itself (400, 401, 403, 404, 413 and other 4xx) or the batch is
	// invalid. Rate limits, 5xx and transport errors are temporary.
	Permanent bool
	// StatusCode is the provider's HTTP status, or 0 when no answer arrived
	// (timeout, connection refused or reset, dropped connection).
	StatusCode int
	// RetryAfter is how long the provider asked to wait, from X-RateLimit-Reset
	// or Retry-After; 0 when it did not say.
	RetryAfter time.Duration
	// Reason is a short explanation for administrators: the provider's,
	// such as the first message of SendGrid's errors array, or what went
	// wrong on the way when no answer came. It never contains the API key.
	Reason string
	// Recipients, on a permanent failure, lists the positions in the batch
	// of the recipients the refusal is about, when the provider (or the
	// batch's own checks) named them: a batch without them may go through.
	// It is empty when the request as a whole was refused.
	Recipients []int
	// Err is the underlying cause, if any.
	Err error
}

// Error describes the failure in one line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mail: ")
	if e.Permanent {
		b.WriteString("permanent")
	} else {
		b.WriteString("temporary")
	}
	b.WriteString(" send failure")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ", status %d", e.StatusCode)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		// Causes from this package carry the same prefix; say it once.
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "mail: "))
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// invalidBatchError wraps a validation failure so that the worker gives up
// at once instead of retrying a batch that can never be sent.
func invalidBatchError(err error) *Error {
	e := &Error{Permanent: true, Err: err}
	if re, ok := errors.AsType[*RecipientError](err); ok {
		e.Recipients = []int{re.Index}
		e.Reason = re.Reason
	}
	return e
}

// RecipientError is a batch check that failed because of one recipient.
// It wraps ErrInvalidBatch.
type RecipientError struct {
	// Index is the recipient's position in the batch.
	Index int
	// Reason says what is wrong, for administrators; it never quotes the link.
	Reason string
	Err    error
}

func (e *RecipientError) Error() string {
	return fmt.Sprintf("%s: recipient %d: %s", ErrInvalidBatch, e.Index, e.Err)
}

// Unwrap returns ErrInvalidBatch and the cause.
func (e *RecipientError) Unwrap() []error { return []error{ErrInvalidBatch, e.Err} }

func recipientError(i int, reason string, err error) *RecipientError {
	return &RecipientError{Index: i, Reason: reason, Err: err}
}

// statusError classifies a non-2xx answer from the provider.
func statusError(status int, header http.Header, body []byte, now time.Time) *Error {
	e := &Error{
		StatusCode: status,
		Reason:     providerReason(status, body),
		RetryAfter: retryAfter(header, now),
	}
	if status == http.StatusBadRequest {
		e.Recipients = blamedRecipients(body)
	}
	switch {
	case status == http.StatusTooManyRequests, status >= 500:
		// Temporary by nature: the provider is busy or broken right now.
	case status == http.StatusRequestTimeout:
		// A proxy in front of the provider gave up waiting; the request
		// itself was fine, so it is as temporary as a client-side timeout.
	default:
		// Other 4xx (bad request, bad key, forbidden sender, too large) and
		// unexpected 1xx/3xx answers will not change on a retry.
		e.Permanent = true
	}
	if e.Permanent {
		e.RetryAfter = 0
	}
	return e
}

// providerReason extracts the first message of SendGrid's error body, or
// falls back to the HTTP status text.
func providerReason(status int, body []byte) string {
	var parsed struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &parsed) == nil {
		for _, e := range parsed.Errors {
			if msg := oneLine(e.Message); msg != "" {
				return truncate(msg, maxReasonLen)
			}
		}
	}
	if text := http.StatusText(status); text != "" {
		return text
	}
	return "unexpected status " + strconv.Itoa(status)
}

// personalizationField matches the field SendGrid names for an error in one
// personalization, such as "personalizations.3.to.0.email".
var personalizationField = regexp.MustCompile(`^personalizations\.(\d+)\.`)

// blamedRecipients lists the personalizations a 400 answer names, in
// order, or nil when any of its errors is about something else: then the
// request as a whole is at fault, and no recipient can be singled out.
func blamedRecipients(body []byte) []int {
	var parsed struct {
		Errors []struct {
			Field *string `json:"field"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &parsed) != nil || len(parsed.Errors) == 0 {
		return nil
	}
	var out []int
	for _, e := range parsed.Errors {
		if e.Field == nil {
			return nil
		}
		m := personalizationField.FindStringSubmatch(*e.Field)
		if m == nil {
			return nil
		}
		i, err := strconv.Atoi(m[1])
		if err != nil || i > MaxBatch {
			return nil
		}
		out = append(out, i)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// retryAfter reads SendGrid's X-RateLimit-Reset (unix seconds) and falls back
// to the standard Retry-After (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		// A reset that has already passed says nothing useful, so let
		// Retry-After speak instead.
		if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
			if d := time.Unix(sec, 0).Sub(now); d > 0 {
				return d
			}
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
		return max(time.Duration(sec)*time.Second, 0)
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0)
	}
	return 0
}
