package mail

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStatusError(t *testing.T) {
	t.Parallel()

	now := time.Date(2026, time.November, 23, 14, 5, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		permanent  bool
		retryAfter time.Duration
		reason     string
	}{
		{
			name:   "429 prefers SendGrid's reset",
			status: 429,
			header: http.Header{"X-Ratelimit-Reset": {"1795442730"}, "Retry-After": {"5"}},
			body:   `{"errors":[{"field":null,"message":"too many requests"}]}`,
			// 1795442730 is 14:05:30 on the day of now.
			retryAfter: 30 * time.Second, reason: "too many requests",
		},
		{name: "429 with a reset in the past uses Retry-After", status: 429, header: http.Header{"X-Ratelimit-Reset": {"1000"}, "Retry-After": {"7"}}, retryAfter: 7 * time.Second, reason: "Too Many Requests"},
		{name: "429 with an HTTP date", status: 429, header: http.Header{"Retry-After": {"Mon, 23 Nov 2026 14:06:00 GMT"}}, retryAfter: time.Minute, reason: "Too Many Requests"},
		{name: "429 without a hint", status: 429, reason: "Too Many Requests"},
		{name: "503 with Retry-After", status: 503, header: http.Header{"Retry-After": {"120"}}, retryAfter: 2 * time.Minute, reason: "Service Unavailable"},
		{name: "408 from a proxy is a timeout", status: 408, reason: "Request Timeout"},
		{name: "400 keeps the first message", status: 400, body: `{"errors":[{"message":"","field":"x"},{"message":"Does not contain a valid address.","field":"personalizations.0.to.0.email"}]}`, permanent: true, reason: "Does not contain a valid address."},
		{name: "422 is permanent", status: 422, permanent: true, reason: "Unprocessable Entity"},
		{name: "HTML error page", status: 502, body: "<html><body>Bad gateway</body></html>", reason: "Bad Gateway"},
		{name: "redirect means a wrong base URL", status: 301, permanent: true, reason: "Moved Permanently"},
		{name: "permanent ignores Retry-After", status: 403, header: http.Header{"Retry-After": {"60"}}, permanent: true, reason: "Forbidden"},
		{name: "long reason is cut", status: 400, body: `{"errors":[{"message":"` + strings.Repeat("x", 1000) + `"}]}`, permanent: true, reason: strings.Repeat("x", maxReasonLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := statusError(tt.status, tt.header, []byte(tt.body), now)
			require.Equal(t, tt.status, e.StatusCode)
			require.Equal(t, tt.permanent, e.Permanent)
			require.Equal(t, tt.retryAfter, e.RetryAfter)
			require.Equal(t, tt.reason, e.Reason)
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()

	cause := errors.New("connection reset by peer")
	tests := []struct {
		err  *Error
		want string
	}{
		{err: &Error{StatusCode: 429, RetryAfter: 30 * time.Second, Reason: "too many requests"}, want: "mail: temporary send failure, status 429, retry after 30s: too many requests"},
		{err: &Error{Permanent: true, StatusCode: 400, Reason: "Bad Request"}, want: "mail: permanent send failure, status 400: Bad Request"},
		{err: &Error{Err: cause}, want: "mail: temporary send failure: connection reset by peer"},
		{err: invalidBatchError(fmt.Errorf("%w: no recipients", ErrInvalidBatch)), want: "mail: permanent send failure: invalid batch: no recipients"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.err.Error())
		})
	}
	require.ErrorIs(t, &Error{Err: cause}, cause)
}

// A 400 that names personalizations singles out those recipients; one
// that names anything else (or nothing) refuses the request as a whole.
func TestBlamedRecipients(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []int
	}{
		{"one address", `{"errors":[{"message":"Does not contain a valid address.","field":"personalizations.3.to.0.email"}]}`, []int{3}},
		{"several, in order, once each", `{"errors":[{"field":"personalizations.7.to.0.email"},{"field":"personalizations.2.substitutions"},{"field":"personalizations.7.to.1.email"}]}`, []int{2, 7}},
		{"the whole request", `{"errors":[{"message":"The from email does not contain a valid address.","field":"from.email"}]}`, nil},
		{"mixed: nobody can be singled out", `{"errors":[{"field":"personalizations.1.to.0.email"},{"field":"subject"}]}`, nil},
		{"no field", `{"errors":[{"message":"Bad Request","field":null}]}`, nil},
		{"not JSON", `<html>oops</html>`, nil},
		{"out of range", `{"errors":[{"field":"personalizations.99999.to.0.email"}]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, statusError(http.StatusBadRequest, nil, []byte(tt.body), time.Now()).Recipients)
		})
	}
	require.Nil(t, statusError(http.StatusUnauthorized, nil, []byte(tests[0].body), time.Now()).Recipients, "only a 400 names recipients")
}

// A batch that fails its own checks because of one recipient names that
// recipient, with a reason for administrators that quotes no link.
func TestInvalidRecipientIsNamed(t *testing.T) {
	t.Parallel()
	b := testBatch(testRecipient(0), testRecipient(1), testRecipient(2))
	b.Recipients[1].Email = "two..dots@example.com"
	err := b.validate()
	require.ErrorIs(t, err, ErrInvalidBatch)
	e := invalidBatchError(err)
	require.True(t, e.Permanent)
	require.Equal(t, []int{1}, e.Recipients)
	require.Equal(t, "The address is not a valid email address.", e.Reason)
	require.NotContains(t, e.Error(), b.Recipients[1].Link)

	b = testBatch(testRecipient(0), testRecipient(1))
	b.OrganizationName = ""
	require.Empty(t, invalidBatchError(b.validate()).Recipients, "a batch-wide problem names nobody")
}
