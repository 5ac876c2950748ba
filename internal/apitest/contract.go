package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/invitedhq/invited"
	"github.com/invitedhq/invited/internal/openapigen"
)

// Undocumented are the paths the contract leaves out on purpose: Swagger
// UI's assets, which /docs redirects to, and the web console's pages and
// files. A path ending in /* covers everything under it.
var Undocumented = []string{"/docs/*", "/", "/activate", "/assets/*", "/favicon.svg"}

// Contract is openapi.yaml, loaded to check traffic against it.
type Contract struct {
	Doc    *openapi3.T
	router routers.Router
}

var loadContract = sync.OnceValues(func() (*Contract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(invited.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is invalid: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi.yaml: %w", err)
	}
	// Pages are text; the decoder only has to hand the schema a string.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	// A CSV upload is a document the server parses itself; kin-openapi's own
	// CSV decoder would read it as records, which is not what the schema says.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	return &Contract{Doc: doc, router: router}, nil
})

// LoadContract returns the embedded openapi.yaml, loaded once per test binary.
func LoadContract() (*Contract, error) { return loadContract() }

// Formats the checks enforce beyond kin-openapi's defaults. Times the
// service sends must be UTC; times it receives may carry any offset.
var (
	uuidFormat   = openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)
	emailFormat  = openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)
	requestForms = map[string]openapi3.StringFormatValidator{"uuid": uuidFormat, "email": emailFormat}
	answerForms  = map[string]openapi3.StringFormatValidator{"uuid": uuidFormat, "email": emailFormat,
		"date-time": openapi3.NewRegexpFormatValidator(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$`)}
)

// Exchange is one request and the answer it got.
type Exchange struct {
	Request     *http.Request
	RequestBody []byte
	// RequestInvalid marks a request that breaks the contract on purpose:
	// only the response is checked.
	RequestInvalid bool
	Status         int
	Header         http.Header
	Body           []byte
}

// Check returns every way the exchange departs from the contract.
func (c *Contract) Check(x Exchange) []string {
	if undocumented(x.Request.URL.Path) {
		return nil
	}
	if x.Request.Method == http.MethodOptions {
		return c.checkOptions(x)
	}
	req := x.Request.Clone(x.Request.Context())
	req.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
	route, params, err := c.router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrPathNotFound) && consolePage(x):
		return nil
	case errors.Is(err, routers.ErrPathNotFound):
		return c.checkUnrouted(x, http.StatusNotFound, "not_found")
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return c.checkUnrouted(x, http.StatusMethodNotAllowed, "method_not_allowed")
	case err != nil:
		return []string{"route: " + err.Error()}
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: &openapi3filter.Options{
		AuthenticationFunc:                openapi3filter.NoopAuthenticationFunc, // credentials are the server's to judge, with documented 401s
		SkipSettingDefaults:               true,                                  // never change what the server receives
		RejectWhenRequestBodyNotSpecified: true,
		MultiError:                        true,
		SchemaValidationOptions:           []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(requestForms), openapi3.DisableSchemaErrorDetails()},
	}}
	var out []string
	if !x.RequestInvalid {
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			out = append(out, "request: "+oneLine(err))
		}
		out = append(out, undeclaredQuery(route, req)...)
	}
	return append(out, c.checkResponse(in, route, x)...)
}

func (c *Contract) checkResponse(in *openapi3filter.RequestValidationInput, route *routers.Route, x Exchange) []string {
	var out []string
	resp := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.Status, Header: x.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(answerForms), openapi3.DisableSchemaErrorDetails()}}}
	resp.SetBodyBytes(x.Body)
	if err := openapi3filter.ValidateResponse(x.Request.Context(), resp); err != nil {
		return append(out, "response: "+oneLine(err))
	}
	documented := route.Operation.Responses.Status(x.Status)
	if len(documented.Value.Content) == 0 && len(x.Body) > 0 {
		out = append(out, fmt.Sprintf("response: %d is documented without a body, got %d bytes of %q", x.Status, len(x.Body), x.Header.Get("Content-Type")))
	}
	// Headers the contract must not leave out where the server sends them.
	for _, h := range []string{"RateLimit-Policy", "RateLimit"} {
		if x.Header.Get(h) != "" && documented.Value.Headers[h] == nil {
			out = append(out, fmt.Sprintf("response: %s is sent but not documented for %d", h, x.Status))
		}
	}
	if x.Status >= 400 {
		codes, _ := documented.Value.Extensions[openapigen.ProblemCodesExtension].([]any)
		out = append(out, checkProblem(x, codes)...)
	}
	return out
}

// consolePage reports whether the exchange is a browser loading one of the
// web console's screens: a page, not the API.
func consolePage(x Exchange) bool {
	return x.Request.Method == http.MethodGet && strings.Contains(x.Request.Header.Get("Accept"), "text/html") &&
		x.Status == http.StatusOK && strings.HasPrefix(x.Header.Get("Content-Type"), "text/html")
}

// checkUnrouted checks the answer to a path or method the contract does not
// have: the router's own problem.
func (c *Contract) checkUnrouted(x Exchange, status int, code string) []string {
	if x.Status != status {
		return []string{fmt.Sprintf("%s %s is not in the contract, yet the answer is %d (want the router's %d %s)",
			x.Request.Method, x.Request.URL.Path, x.Status, status, code)}
	}
	schema := c.Doc.Components.Schemas[openapigen.ProblemSchema].Value
	var v any
	if err := json.Unmarshal(x.Body, &v); err != nil {
		return []string{"response: not JSON: " + err.Error()}
	}
	var out []string
	if err := schema.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.DisableSchemaErrorDetails()); err != nil {
		out = append(out, "response: "+oneLine(err))
	}
	return append(out, checkProblem(x, []any{code})...)
}

// checkProblem checks what the schema can't: a documented code, and a
// problem consistent with its own response.
func checkProblem(x Exchange, codes []any) []string {
	var out []string
	if ct := x.Header.Get("Content-Type"); ct != openapigen.MediaTypeProblem {
		out = append(out, fmt.Sprintf("response: problem content type %q, want %s", ct, openapigen.MediaTypeProblem))
	}
	var p struct {
		Type      string `json:"type"`
		Status    int    `json:"status"`
		Code      string `json:"code"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(x.Body, &p); err != nil {
		return append(out, "response: problem is not JSON: "+err.Error())
	}
	if !slices.Contains(codes, any(p.Code)) {
		out = append(out, fmt.Sprintf("response: problem code %q is not documented for %d (documented: %v)", p.Code, x.Status, codes))
	}
	if p.Status != x.Status {
		out = append(out, fmt.Sprintf("response: problem status %d in a %d response", p.Status, x.Status))
	}
	if p.Type != "/problems/"+p.Code {
		out = append(out, fmt.Sprintf("response: problem type %q, want /problems/%s", p.Type, p.Code))
	}
	if id := x.Header.Get("X-Request-ID"); id == "" || p.RequestID != id {
		out = append(out, fmt.Sprintf("response: problem request_id %q, X-Request-ID header %q", p.RequestID, id))
	}
	return out
}

// checkOptions checks an OPTIONS request, which is CORS or method discovery
// and not part of the contract: it must answer without a body.
func (c *Contract) checkOptions(x Exchange) []string {
	if x.Status >= 300 || len(x.Body) > 0 {
		return []string{fmt.Sprintf("OPTIONS %s: answered %d with %d bytes, want 2xx without a body", x.Request.URL.Path, x.Status, len(x.Body))}
	}
	return nil
}

// undeclaredQuery lists query parameters the operation does not declare;
// the server refuses them, so a valid request never sends them.
func undeclaredQuery(route *routers.Route, req *http.Request) []string {
	var out []string
	for name := range req.URL.Query() {
		if route.Operation.Parameters.GetByInAndName(openapi3.ParameterInQuery, name) == nil {
			out = append(out, fmt.Sprintf("request: query parameter %q is not in the contract", name))
		}
	}
	slices.Sort(out)
	return out
}

func undocumented(path string) bool {
	for _, u := range Undocumented {
		if prefix, ok := strings.CutSuffix(u, "*"); ok && strings.HasPrefix(path, prefix) || path == u {
			return true
		}
	}
	return false
}

// oneLine flattens an error for a test log, cut short where kin-openapi
// would quote a whole oversized body.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

type invalidRequestKey struct{}

// checkedHandler serves h and checks every exchange against the contract,
// failing t with the method, path, status and mismatch.
func checkedHandler(t interface{ Errorf(string, ...any) }, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := LoadContract()
		if err != nil {
			t.Errorf("contract: %v", err)
			h.ServeHTTP(w, r)
			return
		}
		var body []byte
		if r.Body != nil {
			if body, err = io.ReadAll(r.Body); err != nil {
				t.Errorf("contract: read request body: %v", err)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		probe := r.Clone(r.Context())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		invalid, _ := r.Context().Value(invalidRequestKey{}).(bool)
		for _, m := range c.Check(Exchange{Request: probe, RequestBody: body, RequestInvalid: invalid,
			Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}) {
			t.Errorf("openapi.yaml: %s %s → %d: %s", r.Method, r.URL.RequestURI(), rec.Code, m)
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// markInvalid marks a request as breaking the contract on purpose.
func markInvalid(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), invalidRequestKey{}, true))
}
