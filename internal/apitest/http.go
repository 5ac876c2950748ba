package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/invitedhq/invited/api"
)

// Request is one HTTP request to the environment.
type Request struct {
	Method string
	Path   string
	// Body is sent as JSON, except []byte and string which are sent as is.
	Body any
	// Token is sent as a bearer token when set.
	Token  string
	Header map[string]string
	// RemoteAddr is the client's address (host:port); httptest's 192.0.2.1:1234 by default.
	RemoteAddr string
	// Invalid marks a request that breaks openapi.yaml on purpose (malformed
	// JSON, an unknown field or parameter, a wrong content type, an id that
	// is not a UUID): the contract check skips the request but still checks
	// the response.
	Invalid bool
	// Context is the request's context (CountRoundTrips's, say); a
	// background context when nil.
	Context context.Context
}

// Response is what the server answered.
type Response struct {
	T      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Do sends r through the environment's handler.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	var body io.Reader
	contentType := ""
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body, contentType = bytes.NewReader(b), "application/json"
	case string:
		body, contentType = strings.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		must(e.T, err)
		body, contentType = bytes.NewReader(raw), "application/json"
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if r.Context != nil {
		req = req.WithContext(r.Context)
	}
	if r.RemoteAddr != "" {
		req.RemoteAddr = r.RemoteAddr
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		if http.CanonicalHeaderKey(k) == "Host" { // Go keeps the host apart from the header map
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	if r.Invalid {
		req = markInvalid(req)
	}
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, req)
	return &Response{T: e.T, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// Get is Do for a GET with a token.
func (e *Env) Get(path, token string) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post is Do for a POST of a JSON body with a token.
func (e *Env) Post(path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// JSON decodes the body into v, failing the test when it can't.
func (r *Response) JSON(v any) {
	r.T.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.T.Fatalf("decode %d response %q: %v", r.Status, r.Body, err)
	}
}

// Problem decodes an error body, failing the test when it is not problem+json.
func (r *Response) Problem() api.Problem {
	r.T.Helper()
	if ct := r.Header.Get("Content-Type"); ct != api.MediaTypeProblem {
		r.T.Fatalf("status %d: content type %q, want %s; body %s", r.Status, ct, api.MediaTypeProblem, r.Body)
	}
	var p api.Problem
	r.JSON(&p)
	return p
}

// Expect fails the test unless the status is want.
func (r *Response) Expect(want int) *Response {
	r.T.Helper()
	if r.Status != want {
		r.T.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
	return r
}

// ExpectProblem fails the test unless the response is a problem with this status and code.
func (r *Response) ExpectProblem(status int, code string) api.Problem {
	r.T.Helper()
	r.Expect(status)
	p := r.Problem()
	if p.Code != code {
		r.T.Fatalf("problem code %q, want %q; body %s", p.Code, code, r.Body)
	}
	return p
}
