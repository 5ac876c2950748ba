// Package openapigen turns the Swagger 2.0 document that swag builds from
// the handlers' annotations into the published OpenAPI 3.0 contract, and
// adds what Swagger 2.0 annotations cannot say but is true of every route:
//
//   - every 4xx and 5xx answer is application/problem+json with the Problem
//     schema; the problem codes a response can carry are read from its
//     annotation's description, checked against the catalogue (a code must
//     have the response's status), listed in x-problem-codes and shown as one
//     example per code; every operation can answer 500 internal;
//   - object schemas have additionalProperties: false, because the server
//     rejects unknown request fields and never sends undocumented ones;
//   - every response carries X-Request-ID, every answer of an operation
//     annotated x-rate-limited the RateLimit-Policy and RateLimit fields
//     (ratelimit.go), a 429 carries Retry-After, a 201
//     carries Location, and the success of an operation that takes an
//     Idempotency-Key may carry Idempotent-Replayed;
//   - the bearer scheme is HTTP bearer (Swagger 2.0 only knows API keys);
//   - limits a typed generator needs (limits.go): integers are int32,
//     uuid and date-time strings have the length their format allows, an
//     array of enumerated values lists each once, and a text body takes its
//     maxLength from the operation's x-text-max-length annotation;
//   - a text/* body (an HTML page, a CSV upload) is a string document;
//   - requests and JSON successes get a media-type example assembled from the
//     schemas' property examples, unless the operation's x-examples
//     annotation gives one: a JSON object whose keys are "request" or a
//     status code and whose values are the example bodies
//     (`@x-examples {"200": "<!doctype html>…"}`); a string example goes to
//     the text media type and any other value to the JSON one.
//
// It also refuses annotations that break the house rules, so a new route
// cannot slip into the contract half-documented: camelCase operation ids,
// one declared tag per operation, 401 on every authenticated route, 404 on
// every route with a path parameter, 400 and 413 on every JSON body.
//
// The output is deterministic: the same input gives byte-identical YAML.
package openapigen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/invitedhq/invited/internal/apperr"
)

// Names of the things this package adds to the contract.
const (
	// ProblemSchema is the component schema of every error body.
	ProblemSchema = "Problem"
	// MediaTypeProblem is the content type of every error body.
	MediaTypeProblem = "application/problem+json"
	// ProblemCodesExtension lists, on an error response, the problem codes it can carry.
	ProblemCodesExtension = "x-problem-codes"
	// ExamplesExtension is the operation annotation that supplies examples.
	ExamplesExtension = "x-examples"
	// OneOfExtension is the operation annotation listing other schemas a
	// JSON request body may take besides the annotated one (Swagger 2.0 has
	// no oneOf): `@x-request-one-of [{"type": "array", "items": {"$ref": "#/components/schemas/X"}}]`.
	OneOfExtension = "x-request-one-of"
	// SecurityScheme is the name of the bearer token scheme.
	SecurityScheme = "BearerAuth"
)

// Header and parameter components.
const (
	headerRequestID   = "X-Request-ID"
	headerRetryAfter  = "Retry-After"
	headerLocation    = "Location"
	headerReplayed    = "Idempotent-Replayed"
	headerWWWAuth     = "WWW-Authenticate"
	paramIdempotency  = "Idempotency-Key"
	componentsSchemas = "#/components/schemas/"
	mediaTypeJSON     = "application/json"
)

var operationIDPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// Generate converts swag's Swagger 2.0 JSON into the OpenAPI 3.0 contract.
// catalog is the list of problem codes (apperr.Catalog).
func Generate(swagger []byte, catalog []apperr.Entry) (*openapi3.T, error) {
	swagger, examples, err := prepare(swagger)
	if err != nil {
		return nil, err
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(swagger, &doc2); err != nil {
		return nil, fmt.Errorf("read swagger 2.0: %w", err)
	}
	doc, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("convert to openapi 3: %w", err)
	}
	g := &generator{doc: doc, catalog: catalog, paramExamples: examples}
	g.run()
	if len(g.errs) > 0 {
		return nil, errors.Join(g.errs...)
	}
	// Reload the document so references resolve, then let kin-openapi
	// check it, examples included.
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode openapi 3: %w", err)
	}
	loaded, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("load generated openapi 3: %w", err)
	}
	if err := loaded.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("generated openapi 3 is invalid: %w", err)
	}
	return loaded, nil
}

// prepare drops swag's package prefix from definition names (api.User
// becomes User), so generated clients get plain type names, and collects
// the parameter examples swag writes, which Swagger 2.0 has no field for
// and the conversion would lose.
func prepare(swagger []byte) ([]byte, map[string]any, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(swagger))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("read swagger 2.0: %w", err)
	}
	examples := map[string]any{}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			params, _ := op.(map[string]any)["parameters"].([]any)
			for _, p := range params {
				p, _ := p.(map[string]any)
				if ex, ok := p["example"]; ok {
					examples[paramKey(strings.ToUpper(method), path, fmt.Sprint(p["in"]), fmt.Sprint(p["name"]))] = ex
				}
			}
		}
	}
	defs, _ := doc["definitions"].(map[string]any)
	renamed := map[string]string{}
	short := map[string]any{}
	for name, def := range defs {
		s := name[strings.LastIndex(name, ".")+1:]
		if _, dup := short[s]; dup {
			return nil, nil, fmt.Errorf("definitions %s and another one both shorten to %s: rename one of the types", name, s)
		}
		short[s], renamed[name] = def, s
	}
	if defs != nil {
		doc["definitions"] = short
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if name, ok := strings.CutPrefix(ref, "#/definitions/"); ok && renamed[name] != "" {
					x["$ref"] = "#/definitions/" + renamed[name]
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	out, err := json.Marshal(doc)
	return out, examples, err
}

func paramKey(method, path, in, name string) string {
	return method + " " + path + " " + in + " " + name
}

type generator struct {
	doc           *openapi3.T
	catalog       []apperr.Entry
	paramExamples map[string]any
	errs          []error
}

func (g *generator) fail(format string, args ...any) {
	g.errs = append(g.errs, fmt.Errorf(format, args...))
}

func (g *generator) run() {
	// x-internal says who the service is for (partners too); the
	// description which environments (OWASP API9, inventory).
	g.doc.Servers = openapi3.Servers{{URL: "/", Extensions: map[string]any{"x-internal": false},
		Description: "The service itself, wherever it runs (local development, staging or production); every path is relative to where it is deployed."}}
	g.doc.Info.Description = strings.TrimSpace(g.doc.Info.Description) + "\n\n" + CatalogMarkdown(g.catalog, 3)
	g.securityScheme()
	g.components()
	g.optionalDefaults()
	for _, path := range g.doc.Paths.Keys() {
		item := g.doc.Paths.Value(path)
		for _, method := range sortedMethods(item) {
			g.operation(path, method, item.GetOperation(method))
		}
	}
	g.limits()
}

// securityScheme makes the swag API key an HTTP bearer scheme.
func (g *generator) securityScheme() {
	ref := g.doc.Components.SecuritySchemes[SecurityScheme]
	if ref == nil || ref.Value == nil {
		g.fail("the general API info must declare the %s security definition", SecurityScheme)
		return
	}
	ref.Value = openapi3.NewJWTSecurityScheme().WithDescription(ref.Value.Description)
}

func sortedMethods(item *openapi3.PathItem) []string {
	var out []string
	for m := range item.Operations() {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

func (g *generator) operation(path, method string, op *openapi3.Operation) {
	where := method + " " + path
	g.checkIdentity(where, op)
	delete(op.Extensions, "x-originalParamName")
	examples := g.examplesAnnotation(where, op)
	alternatives := g.oneOfAnnotation(where, op)
	idempotent := g.parameters(method, path, op)
	limited := g.rateLimited(where, op)
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		g.requestBody(where, op.RequestBody.Value, examples, alternatives)
	} else if len(alternatives) > 0 {
		g.fail("%s: @x-request-one-of on an operation without a body", where)
	}
	g.textLimit(where, op)
	if op.Responses.Value("500") == nil {
		op.Responses.Set("500", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(string(apperr.CodeInternal))})
	}
	secured := op.Security != nil && len(*op.Security) > 0
	if !secured {
		op.Security = &openapi3.SecurityRequirements{} // public, and saying so
	}
	for _, status := range op.Responses.Keys() {
		g.response(where, status, op.Responses.Value(status).Value, examples, responseTraits{secured: secured, idempotent: idempotent, rateLimited: limited})
	}
	for key := range examples {
		g.fail("%s: x-examples names %q, which is neither \"request\" nor a success status of the operation", where, key)
	}
	g.checkStatuses(where, path, op, secured)
}

func (g *generator) checkIdentity(where string, op *openapi3.Operation) {
	if !operationIDPattern.MatchString(op.OperationID) {
		g.fail("%s: @ID %q must be camelCase (e.g. listUsers)", where, op.OperationID)
	}
	if op.Summary == "" {
		g.fail("%s: @Summary is missing", where)
	}
	if len(op.Tags) != 1 {
		g.fail("%s: needs exactly one @Tags, has %v", where, op.Tags)
		return
	}
	if g.doc.Tags.Get(op.Tags[0]) == nil {
		g.fail("%s: tag %q is not declared with @tag.name in api/doc.go", where, op.Tags[0])
	}
}

// checkStatuses enforces the statuses every route of a kind can answer.
func (g *generator) checkStatuses(where, path string, op *openapi3.Operation, secured bool) {
	need := func(status int, why string) {
		if op.Responses.Status(status) == nil {
			g.fail("%s: %s, so it must document @Failure %d", where, why, status)
		}
	}
	if secured {
		need(http.StatusUnauthorized, "it needs a bearer token")
	}
	if strings.Contains(path, "{") {
		need(http.StatusNotFound, "it has a path parameter")
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil && op.RequestBody.Value.Content.Get(mediaTypeJSON) != nil {
		need(http.StatusBadRequest, "it reads a JSON body")
		need(http.StatusRequestEntityTooLarge, "it reads a body")
	}
}

// examplesAnnotation reads and removes the operation's x-examples.
func (g *generator) examplesAnnotation(where string, op *openapi3.Operation) map[string]any {
	raw, ok := op.Extensions[ExamplesExtension]
	if !ok {
		return nil
	}
	delete(op.Extensions, ExamplesExtension)
	m, ok := raw.(map[string]any)
	if !ok {
		g.fail("%s: @x-examples must be a JSON object", where)
		return nil
	}
	return m
}

// parameters restores the parameters' examples, replaces the
// Idempotency-Key header with the shared component and reports whether the
// operation takes it.
func (g *generator) parameters(method, path string, op *openapi3.Operation) bool {
	idempotent := false
	for i, p := range op.Parameters {
		if p.Value == nil {
			continue
		}
		if ex, ok := g.paramExamples[paramKey(method, path, p.Value.In, p.Value.Name)]; ok {
			p.Value.Example = ex
		}
		if p.Value.In == openapi3.ParameterInHeader && strings.EqualFold(p.Value.Name, paramIdempotency) {
			op.Parameters[i] = &openapi3.ParameterRef{Ref: "#/components/parameters/IdempotencyKey"}
			idempotent = true
		}
	}
	return idempotent
}

// oneOfAnnotation reads and removes the operation's x-request-one-of.
func (g *generator) oneOfAnnotation(where string, op *openapi3.Operation) openapi3.SchemaRefs {
	raw, ok := op.Extensions[OneOfExtension]
	if !ok {
		return nil
	}
	delete(op.Extensions, OneOfExtension)
	b, err := json.Marshal(raw)
	var refs openapi3.SchemaRefs
	if err == nil {
		err = json.Unmarshal(b, &refs)
	}
	if err != nil || len(refs) == 0 {
		g.fail("%s: @x-request-one-of must be a JSON array of schemas", where)
		return nil
	}
	return refs
}

func (g *generator) requestBody(where string, body *openapi3.RequestBody, examples map[string]any, alternatives openapi3.SchemaRefs) {
	delete(body.Extensions, "x-originalParamName")
	body.Required = true
	ex, given := examples["request"]
	delete(examples, "request")
	g.mediaExamples(where, "request", body.Content, ex, given)
	if len(alternatives) == 0 {
		return
	}
	media := body.Content.Get(mediaTypeJSON)
	if media == nil {
		g.fail("%s: @x-request-one-of needs a JSON request body", where)
		return
	}
	// The example was built from the annotated schema, which stays the first choice.
	media.Schema = &openapi3.SchemaRef{Value: &openapi3.Schema{OneOf: append(openapi3.SchemaRefs{media.Schema}, alternatives...)}}
}

// mediaExamples gives every media type of a body an example: the
// annotated one where it fits (a string for text, anything else for JSON,
// or whatever it is when there is one media type), otherwise one assembled
// from the schema for JSON. A text body is a document, whatever Go type
// the annotation names for its JSON twin.
func (g *generator) mediaExamples(where, label string, content openapi3.Content, ex any, given bool) {
	for _, mt := range sortedKeys(content) {
		media := content[mt]
		if strings.HasPrefix(mt, "text/") {
			media.Schema = openapi3.NewStringSchema().NewRef()
		}
		switch {
		case given && (len(content) == 1 || isJSON(mt) == isJSONValue(ex)):
			media.Example = ex
		case isJSON(mt):
			v, err := g.example(media.Schema)
			if err != nil {
				g.fail("%s: %s example: %w", where, label, err)
				continue
			}
			media.Example = v
		default:
			key := label
			if label != "request" {
				key = strings.Fields(label)[0]
			}
			g.fail("%s: the %s body %s needs an example in @x-examples {%q: …}", where, label, mt, key)
		}
	}
}

type responseTraits struct {
	secured     bool
	idempotent  bool
	rateLimited bool
}

func (g *generator) response(where, status string, r *openapi3.Response, examples map[string]any, t responseTraits) {
	code, err := strconv.Atoi(status)
	if err != nil {
		g.fail("%s: response %q must be a status code", where, status)
		return
	}
	if r.Headers == nil {
		r.Headers = openapi3.Headers{}
	}
	r.Headers[headerRequestID] = &openapi3.HeaderRef{Ref: "#/components/headers/RequestID"}
	if t.rateLimited {
		rateLimitHeaders(r)
	}
	switch {
	case code == http.StatusTooManyRequests:
		r.Headers[headerRetryAfter] = &openapi3.HeaderRef{Ref: "#/components/headers/RetryAfter"}
	case code == http.StatusCreated:
		r.Headers[headerLocation] = &openapi3.HeaderRef{Ref: "#/components/headers/Location"}
	case code == http.StatusUnauthorized && t.secured:
		r.Headers[headerWWWAuth] = &openapi3.HeaderRef{Ref: "#/components/headers/WWWAuthenticate"}
	}
	if code >= 400 {
		g.problemResponse(where, code, r)
		return
	}
	if t.idempotent && code < 300 {
		r.Headers[headerReplayed] = &openapi3.HeaderRef{Ref: "#/components/headers/IdempotentReplayed"}
	}
	ex, given := examples[status]
	delete(examples, status)
	g.mediaExamples(where, status+" response", r.Content, ex, given)
}

// isJSONValue reports whether an x-examples value is a JSON document
// rather than the text of some other media type.
func isJSONValue(v any) bool {
	_, isString := v.(string)
	return !isString
}

func isJSON(mediaType string) bool {
	return mediaType == mediaTypeJSON || strings.HasSuffix(mediaType, "+json")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
