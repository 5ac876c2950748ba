package sendgridtest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const validBody = `{
	"from": {"email": "noreply@example.com"},
	"subject": "Hi -name-",
	"personalizations": [
		{"to": [{"email": "ann@example.com"}], "custom_args": {"invite_id": "i1"}, "substitutions": {"-name-": "Ann", "-link-": "https://x/1"}},
		{"to": [{"email": "bob@example.com"}], "substitutions": {"-name-": "Bob -link-", "-link-": "https://x/2"}}
	],
	"content": [{"type": "text/plain", "value": "Hello -name-, open -link-"}, {"type": "text/html", "value": "<p>-name-</p>"}],
	"custom_args": {"organization_id": "o1", "invite_id": "overridden"}
}`

type answer struct {
	status int
	header http.Header
	errors []apiError
}

func post(t *testing.T, s *Server, key, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+SendPath, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 {
		var parsed struct{ Errors []apiError }
		require.NoError(t, json.Unmarshal(raw, &parsed), string(raw))
		a.errors = parsed.Errors
	}
	return a
}

func TestServerAcceptsAndPersonalizes(t *testing.T) {
	t.Parallel()
	s := NewServer(t)

	a := post(t, s, s.APIKey, "application/json", validBody)
	require.Equal(t, http.StatusAccepted, a.status)
	id := a.header.Get("X-Message-Id")
	require.NotEmpty(t, id)

	msgs := s.WaitForMessages(t, 1, time.Second)
	require.Len(t, msgs, 1)
	require.Equal(t, id, msgs[0].ID)
	require.Len(t, msgs[0].Personalizations, 2)

	ann, bob := msgs[0].Personalizations[0], msgs[0].Personalizations[1]
	require.Equal(t, "ann@example.com", ann.Email)
	require.Equal(t, map[string]string{"invite_id": "i1", "organization_id": "o1"}, ann.CustomArgs)
	require.Equal(t, "Hi Ann", ann.Subject)
	require.Equal(t, "Hello Ann, open https://x/1", ann.Text)
	require.Equal(t, "<p>Ann</p>", ann.HTML)
	require.Equal(t, "Hello Bob -link-, open https://x/2", bob.Text, "a value is not substituted again")
	require.Equal(t, 1, s.Requests())
}

func TestServerRejectsLikeSendGrid(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name        string
		wrongKey    bool
		noKey       bool
		contentType string
		body        string
		status      int
		field       string
		message     string
	}{
		{name: "no key", noKey: true, body: validBody, status: 401, message: "authorization required"},
		{name: "wrong key", wrongKey: true, body: validBody, status: 401, message: "The provided authorization grant is invalid, expired, or revoked"},
		{name: "form body", contentType: "application/x-www-form-urlencoded", body: validBody, status: 400, message: "Content-Type should be application/json."},
		{name: "broken json", body: `{"from":`, status: 400, message: "Bad Request"},
		{name: "no personalizations", body: `{"from":{"email":"a@example.com"},"subject":"s","content":[{"type":"text/plain","value":"v"}]}`, status: 400, field: "personalizations"},
		{name: "empty to", body: `{"from":{"email":"a@example.com"},"subject":"s","personalizations":[{"to":[]}],"content":[{"type":"text/plain","value":"v"}]}`, status: 400, field: "personalizations.0.to"},
		{name: "bad address", body: `{"from":{"email":"a@example.com"},"subject":"s","personalizations":[{"to":[{"email":"nope"}]}],"content":[{"type":"text/plain","value":"v"}]}`, status: 400, field: "personalizations.0.to.0.email"},
		{name: "no from", body: `{"subject":"s","personalizations":[{"to":[{"email":"b@example.com"}]}],"content":[{"type":"text/plain","value":"v"}]}`, status: 400, field: "from"},
		{name: "no subject", body: `{"from":{"email":"a@example.com"},"personalizations":[{"to":[{"email":"b@example.com"}]}],"content":[{"type":"text/plain","value":"v"}]}`, status: 400, field: "subject"},
		{name: "no content", body: `{"from":{"email":"a@example.com"},"subject":"s","personalizations":[{"to":[{"email":"b@example.com"}]}]}`, status: 400, field: "content"},
		{name: "html before text", body: `{"from":{"email":"a@example.com"},"subject":"s","personalizations":[{"to":[{"email":"b@example.com"}]}],"content":[{"type":"text/html","value":"h"},{"type":"text/plain","value":"v"}]}`, status: 400, field: "content.1.type"},
		{name: "too many personalizations", body: manyPersonalizations(1001), status: 400, field: "personalizations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t)
			key := s.APIKey
			switch {
			case tt.noKey:
				key = ""
			case tt.wrongKey:
				key = "SG.wrong"
			}
			a := post(t, s, key, cmp.Or(tt.contentType, "application/json"), tt.body)
			require.Equal(t, tt.status, a.status)
			require.NotEmpty(t, a.errors)
			if tt.message != "" {
				require.Equal(t, tt.message, a.errors[0].Message)
			}
			if tt.field != "" {
				require.NotNil(t, a.errors[0].Field)
				require.Equal(t, tt.field, *a.errors[0].Field)
			}
			require.Empty(t, s.Messages())
		})
	}
}

func TestServerRejectsBodiesOver30MB(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	body := `{"subject":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	a := post(t, s, s.APIKey, "application/json", body)
	require.Equal(t, http.StatusRequestEntityTooLarge, a.status)
}

func TestServerScriptedAnswers(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	reset := time.Now().Add(30 * time.Second)

	s.FailNext(1, http.StatusServiceUnavailable)
	s.RateLimitNext(1, reset)
	s.RejectNext(2, http.StatusForbidden, "The from address does not match a verified Sender Identity.")

	require.Equal(t, http.StatusServiceUnavailable, post(t, s, s.APIKey, "application/json", validBody).status)
	limited := post(t, s, s.APIKey, "application/json", validBody)
	require.Equal(t, http.StatusTooManyRequests, limited.status)
	require.Equal(t, reset.Unix(), mustInt(t, limited.header.Get("X-RateLimit-Reset")))
	require.InDelta(t, 30, mustInt(t, limited.header.Get("Retry-After")), 1)
	for range 2 {
		a := post(t, s, s.APIKey, "application/json", validBody)
		require.Equal(t, http.StatusForbidden, a.status)
		require.Equal(t, "The from address does not match a verified Sender Identity.", a.errors[0].Message)
	}
	require.Equal(t, http.StatusAccepted, post(t, s, s.APIKey, "application/json", validBody).status)
	require.Equal(t, 5, s.Requests())

	s.FailNext(Always, http.StatusInternalServerError)
	for range 3 {
		require.Equal(t, http.StatusInternalServerError, post(t, s, s.APIKey, "application/json", validBody).status)
	}
	s.Reset()
	require.Zero(t, s.Requests())
	require.Empty(t, s.Messages())
	require.Equal(t, http.StatusAccepted, post(t, s, s.APIKey, "application/json", validBody).status)
}

func TestServerDropAndHang(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.DropNext(1)
	s.HangNext(1)

	client := &http.Client{Timeout: 200 * time.Millisecond}
	for _, name := range []string{"drop", "hang"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+SendPath, bytes.NewReader([]byte(validBody)))
		require.NoError(t, err)
		start := time.Now()
		resp, err := client.Do(req)
		if resp != nil {
			resp.Body.Close()
		}
		require.Error(t, err, name)
		require.Less(t, time.Since(start), 2*time.Second, name)
	}
	require.Equal(t, 2, s.Requests())
}

func manyPersonalizations(n int) string {
	p := strings.TrimSuffix(strings.Repeat(`{"to":[{"email":"b@example.com"}]},`, n), ",")
	return `{"from":{"email":"a@example.com"},"subject":"s","personalizations":[` + p + `],"content":[{"type":"text/plain","value":"v"}]}`
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, json.Unmarshal([]byte(s), &n), s)
	return n
}

func TestServerAcceptAndDrop(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AcceptAndDropNext(1)

	before := time.Now()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+SendPath, strings.NewReader(validBody))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the client never sees the answer")

	msgs := s.Messages()
	require.Len(t, msgs, 1, "but the provider has the message")
	require.NotEmpty(t, msgs[0].ID)
	require.False(t, msgs[0].Received.Before(before))

	// The script is used up: the next request is answered normally.
	a := post(t, s, s.APIKey, "application/json", validBody)
	require.Equal(t, http.StatusAccepted, a.status)
	require.Len(t, s.Messages(), 2)
	require.Equal(t, 2, s.Requests())
}

func TestServerRateLimitRelativeToArrival(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.RateLimitNextFor(1, 30*time.Second)

	before := time.Now()
	a := post(t, s, s.APIKey, "application/json", validBody)
	require.Equal(t, http.StatusTooManyRequests, a.status)
	arrivals := s.Arrivals()
	require.Len(t, arrivals, 1)
	require.False(t, arrivals[0].Before(before))
	require.Equal(t, arrivals[0].Add(30*time.Second).Unix(), mustInt(t, a.header.Get("X-RateLimit-Reset")))
	require.InDelta(t, 30, mustInt(t, a.header.Get("Retry-After")), 1)

	require.Equal(t, http.StatusAccepted, post(t, s, s.APIKey, "application/json", validBody).status)
	require.Len(t, s.Arrivals(), 2)
	s.Reset()
	require.Empty(t, s.Arrivals())
}
