package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
)

// Every error, including the router's own, is problem+json with a stable code.
func TestProblemsForRouterAndBindErrors(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	org := e.Org()
	tok := org.OwnerToken

	e.Get("/no/such/route", "").ExpectProblem(http.StatusNotFound, "not_found")

	r := e.Do(apitest.Request{Method: http.MethodDelete, Path: "/users"})
	r.ExpectProblem(http.StatusMethodNotAllowed, "method_not_allowed")
	require.Contains(t, r.Header.Get("Allow"), "GET")

	// Each request breaks the contract on purpose; the answers must still keep it.
	bad := func(method, path, body string, header ...string) *apitest.Response {
		r := apitest.Request{Method: method, Path: path, Token: tok, Body: body, Invalid: true}
		if len(header) == 2 {
			r.Header = map[string]string{header[0]: header[1]}
		}
		if body == "" {
			r.Body = nil
		}
		return e.Do(r)
	}
	bad(http.MethodPost, "/users", `{"email": "a@example.com",`).ExpectProblem(http.StatusBadRequest, "invalid_request")
	bad(http.MethodPost, "/users", `[1,2]`).ExpectProblem(http.StatusBadRequest, "invalid_request")
	bad(http.MethodPost, "/users", `{"email": "a@example.com"} {"x":1}`).ExpectProblem(http.StatusBadRequest, "invalid_request")

	p := bad(http.MethodPost, "/users", `{"email": 42}`).ExpectProblem(http.StatusBadRequest, "invalid_request")
	require.Equal(t, "email", p.Errors[0].Field)
	require.Equal(t, "invalid_type", p.Errors[0].Code)

	p = bad(http.MethodPost, "/users", `{"email": "a@example.com", "emial": "x"}`).ExpectProblem(http.StatusBadRequest, "invalid_request")
	require.Equal(t, "unknown_field", p.Errors[0].Code)
	require.Equal(t, "emial", p.Errors[0].Field)

	bad(http.MethodPost, "/users", `{}`, "Content-Type", "text/plain").ExpectProblem(http.StatusUnsupportedMediaType, "unsupported_media_type")

	big := `{"email": "a@example.com", "first_name": "` + strings.Repeat("x", 2<<20) + `"}`
	bad(http.MethodPost, "/users", big).ExpectProblem(http.StatusRequestEntityTooLarge, "payload_too_large")
	bad(http.MethodPost, "/auth/token", big).ExpectProblem(http.StatusRequestEntityTooLarge, "payload_too_large")

	p = bad(http.MethodGet, "/users?stauts=invite_pending", "").ExpectProblem(http.StatusBadRequest, "invalid_request")
	require.Equal(t, "stauts", p.Errors[0].Field)
}

func TestRequestIDPropagation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	org := e.Org()

	r := e.Do(apitest.Request{Method: http.MethodGet, Path: "/users", Token: org.OwnerToken,
		Header: map[string]string{"X-Request-ID": "client-trace-42"}}).Expect(http.StatusOK)
	require.Equal(t, "client-trace-42", r.Header.Get("X-Request-ID"))

	r = e.Do(apitest.Request{Method: http.MethodGet, Path: "/nowhere", Header: map[string]string{"X-Request-ID": "bad id with spaces"}})
	id := r.Header.Get("X-Request-ID")
	require.NotEqual(t, "bad id with spaces", id, "unsafe ids are replaced")
	require.Equal(t, id, r.Problem().RequestID, "the problem names the request id the header carries")

	r = e.Get("/healthz", "").Expect(http.StatusOK)
	require.NotEmpty(t, r.Header.Get("X-Request-ID"))

	// The id reaches the audit trail of the change the request made.
	e.Do(apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken,
		Body: map[string]any{"email": "traced@example.com"}, Header: map[string]string{"X-Request-ID": "trace-create-1"}}).Expect(http.StatusCreated)
	var events struct {
		Data []struct {
			Action    string `json:"action"`
			RequestID string `json:"request_id"`
		} `json:"data"`
	}
	e.Get("/audit-events?action=user.created", org.OwnerToken).Expect(http.StatusOK).JSON(&events)
	require.Equal(t, "trace-create-1", events.Data[0].RequestID)
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Get("/healthz", "").Expect(http.StatusOK)
		e.Get("/readyz", "").Expect(http.StatusOK)
		require.NoError(t, e.DB.Close())
		e.Get("/healthz", "").Expect(http.StatusOK)
		e.Get("/readyz", "").ExpectProblem(http.StatusServiceUnavailable, "unavailable")
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	r := e.Get("/healthz", "")
	require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "DENY", r.Header.Get("X-Frame-Options"))
	require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	require.Contains(t, r.Header.Get("Content-Security-Policy"), "default-src 'none'")
}

func TestRepeatedSingleValuedQueryParameter(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	org := e.Org()
	p := e.Get("/users?limit=5&limit=7", org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
	require.Equal(t, "repeated_parameter", p.Errors[0].Code)
	e.Get("/users?status=invite_pending&status=confirmed", org.OwnerToken).Expect(http.StatusOK)
}
