package apitest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
)

const requestID = "01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"

// userExample is the contract's own example of a user, which must pass.
func userExample(t *testing.T) map[string]any {
	t.Helper()
	c, err := apitest.LoadContract()
	require.NoError(t, err)
	ex := c.Doc.Paths.Value("/users/{id}").Get.Responses.Value("200").Value.Content.Get("application/json").Example
	b, err := json.Marshal(ex)
	require.NoError(t, err)
	var u map[string]any
	require.NoError(t, json.Unmarshal(b, &u))
	return u
}

type exchange struct {
	method, target, requestBody string
	invalid                     bool
	status                      int
	contentType                 string
	noRequestID                 bool
	body                        any
}

func (x exchange) check(t *testing.T) []string {
	t.Helper()
	c, err := apitest.LoadContract()
	require.NoError(t, err)
	req := httptest.NewRequest(x.method, x.target, strings.NewReader(x.requestBody))
	req.Header.Set("Authorization", "Bearer token")
	if x.requestBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	h := http.Header{}
	if !x.noRequestID {
		h.Set("X-Request-ID", requestID)
	}
	if x.contentType != "" {
		h.Set("Content-Type", x.contentType)
	}
	var body []byte
	switch b := x.body.(type) {
	case nil:
	case string:
		body = []byte(b)
	default:
		body, err = json.Marshal(b)
		require.NoError(t, err)
	}
	return c.Check(apitest.Exchange{Request: req, RequestBody: []byte(x.requestBody), RequestInvalid: x.invalid,
		Status: x.status, Header: h, Body: body})
}

func problem(status int, code string) map[string]any {
	return map[string]any{"type": "/problems/" + code, "title": "T", "status": status, "detail": "D", "code": code, "request_id": requestID}
}

// The check passes what the contract allows and names what it does not,
// so a green suite means something.
func TestContractCheck(t *testing.T) {
	t.Parallel()
	user := userExample(t)
	withOffset := map[string]any{}
	for k, v := range user {
		withOffset[k] = v
	}
	withOffset["created_at"] = "2026-11-20T11:30:00+02:00"
	withExtra := map[string]any{"extra": true}
	for k, v := range user {
		withExtra[k] = v
	}
	const (
		json    = "application/json"
		prob    = "application/problem+json"
		userURL = "/users/01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"
	)
	for _, tc := range []struct {
		name string
		x    exchange
		want string // "" means the exchange keeps the contract
	}{
		{"documented answer", exchange{method: "GET", target: userURL, status: 200, contentType: json, body: user}, ""},
		{"undocumented status", exchange{method: "GET", target: userURL, status: 418, contentType: json, body: user}, "status is not supported"},
		{"undocumented field", exchange{method: "GET", target: userURL, status: 200, contentType: json, body: withExtra}, `property "extra" is unsupported`},
		{"missing field", exchange{method: "GET", target: userURL, status: 200, contentType: json, body: map[string]any{"id": user["id"]}}, "property \"email\" is missing"},
		{"wrong content type", exchange{method: "GET", target: userURL, status: 200, contentType: "text/plain", body: "hello"}, "Content-Type"},
		{"time not in UTC", exchange{method: "GET", target: userURL, status: 200, contentType: json, body: withOffset}, "created_at"},
		{"no request id", exchange{method: "GET", target: userURL, status: 200, contentType: json, body: user, noRequestID: true}, "X-Request-ID"},
		{"documented problem", exchange{method: "GET", target: userURL, status: 404, contentType: prob, body: problem(404, "not_found")}, ""},
		{"undocumented problem code", exchange{method: "GET", target: userURL, status: 404, contentType: prob, body: problem(404, "invite_not_found")}, `problem code "invite_not_found" is not documented`},
		{"problem as plain JSON", exchange{method: "GET", target: userURL, status: 404, contentType: json, body: problem(404, "not_found")}, "Content-Type"},
		{"problem with another status", exchange{method: "GET", target: userURL, status: 404, contentType: prob, body: problem(410, "not_found")}, "problem status 410"},
		{"problem with another request id", exchange{method: "GET", target: userURL, status: 404, contentType: prob,
			body: map[string]any{"type": "/problems/not_found", "title": "T", "status": 404, "detail": "D", "code": "not_found", "request_id": "other"}}, "request_id"},
		{"body where none is documented", exchange{method: "PUT", target: "/me/password", requestBody: `{"current_password":"a","new_password":"b"}`,
			status: 204, contentType: json, body: map[string]any{}}, "documented without a body"},
		{"unknown request field", exchange{method: "POST", target: "/users", requestBody: `{"email":"a@example.com","emial":"x"}`,
			status: 400, contentType: prob, body: problem(400, "invalid_request")}, `request: request body has an error`},
		{"unknown request field, on purpose", exchange{method: "POST", target: "/users", requestBody: `{"email":"a@example.com","emial":"x"}`, invalid: true,
			status: 400, contentType: prob, body: problem(400, "invalid_request")}, ""},
		{"undeclared query parameter", exchange{method: "GET", target: "/users?stauts=confirmed", status: 400, contentType: prob, body: problem(400, "invalid_request")},
			`query parameter "stauts" is not in the contract`},
		{"enum value outside the contract", exchange{method: "GET", target: "/users?status=invited", status: 400, contentType: prob, body: problem(400, "invalid_request")},
			`parameter "status" in query has an error`},
		{"malformed id", exchange{method: "GET", target: "/users/42", status: 404, contentType: prob, body: problem(404, "not_found")}, `parameter "id" in path`},
		{"unrouted path, router's answer", exchange{method: "GET", target: "/nowhere", status: 404, contentType: prob, body: problem(404, "not_found")}, ""},
		{"unrouted path, other answer", exchange{method: "GET", target: "/nowhere", status: 200, contentType: json, body: map[string]any{}}, "is not in the contract"},
		{"unrouted method", exchange{method: "DELETE", target: "/users", status: 405, contentType: prob, body: problem(405, "method_not_allowed")}, ""},
		{"preflight", exchange{method: "OPTIONS", target: "/users", status: 204}, ""},
		{"preflight with a body", exchange{method: "OPTIONS", target: "/users", status: 200, contentType: json, body: map[string]any{}}, "without a body"},
		{"Swagger UI asset", exchange{method: "GET", target: "/docs/index.html", status: 200, contentType: "text/html", body: "<html>"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(tc.x.check(t), "\n")
			if tc.want == "" {
				require.Empty(t, got)
				return
			}
			require.Contains(t, got, tc.want)
		})
	}
}
