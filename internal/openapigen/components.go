package openapigen

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// components adds the shared headers and parameters and tightens the schemas.
func (g *generator) components() {
	c := g.doc.Components
	if c.Schemas == nil || c.Schemas[ProblemSchema] == nil {
		g.fail("no %s schema: error responses must be annotated {object} %s", ProblemSchema, ProblemSchema)
		return
	}
	for _, name := range sortedKeys(c.Schemas) {
		g.schema(c.Schemas[name])
	}
	if code := c.Schemas[ProblemSchema].Value.Properties["code"]; code != nil && code.Value != nil {
		code.Value.Enum = nil
		for _, e := range g.catalog {
			code.Value.Enum = append(code.Value.Enum, string(e.Code))
		}
	} else {
		g.fail("the %s schema has no code property", ProblemSchema)
	}

	str := func(s *openapi3.Schema) *openapi3.SchemaRef { return s.NewRef() }
	c.Headers = openapi3.Headers{
		"RequestID": header("The request's id: the caller's own X-Request-ID when it is 1 to 128 letters, digits or ._:- characters, a fresh UUID otherwise. Problems repeat it as request_id.",
			true, str(openapi3.NewStringSchema()), "01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"),
		"RetryAfter": header("Seconds to wait before trying again.", true, str(openapi3.NewIntegerSchema().WithMin(1)), 30),
		"Location":   header("The created resource.", true, str(openapi3.NewStringSchema().WithFormat("uri-reference")), "/users/01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"),
		"IdempotentReplayed": header("Present when the answer is the replay of an earlier request with the same Idempotency-Key.",
			false, str(openapi3.NewStringSchema().WithEnum("true")), "true"),
		"WWWAuthenticate": header("The authentication scheme to use.", false, str(openapi3.NewStringSchema()), `Bearer realm="invited"`),
	}
	g.rateLimitComponents()
	key := openapi3.NewHeaderParameter(paramIdempotency).
		WithDescription("Makes the request safe to retry: a retry with the same key and the same request replays the first answer (for 24 hours) instead of acting again. Use a fresh random key, such as a UUID, per intended action.").
		WithSchema(openapi3.NewStringSchema().WithMinLength(1).WithMaxLength(255).WithPattern(`^[!-~]+$`))
	key.Example = "4c1e9a7e-2d5b-4f0a-9a47-3f6f1d2b8c10"
	c.Parameters = openapi3.ParametersMap{"IdempotencyKey": &openapi3.ParameterRef{Value: key}}
}

func header(desc string, required bool, schema *openapi3.SchemaRef, example any) *openapi3.HeaderRef {
	return &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: desc, Required: required, Schema: schema, Example: example,
	}}}
}

// schema closes object schemas to undocumented properties and rewrites
// property descriptions taken from Go doc comments.
func (g *generator) schema(ref *openapi3.SchemaRef) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	s := ref.Value
	if s.Nullable && s.Type == nil && len(s.AllOf) == 1 {
		// swag nulls a referenced struct by wrapping it in allOf; OpenAPI
		// 3.0 ignores nullable on a schema without a type.
		s.Type = &openapi3.Types{openapi3.TypeObject}
	}
	closable := len(s.AllOf) == 0 && (len(s.Properties) > 0 || s.Type.Is(openapi3.TypeObject)) // an empty struct is an empty object
	if closable && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
	}
	for name, p := range s.Properties {
		if p.Value != nil {
			p.Value.Description = propertyDescription(name, p.Value.Description)
		}
		g.schema(p)
	}
	g.schema(s.Items)
	for _, sub := range s.AllOf {
		g.schema(sub)
	}
	g.schema(s.AdditionalProperties.Schema)
}

// propertyDescription turns a Go field comment ("NextCursor continues the
// listing", "InvitePending is the number of …") into a property
// description ("Continues the listing", "The number of …"). Comments about
// several fields ("FirstName and LastName …") stay as written.
func propertyDescription(property, desc string) string {
	first, rest, ok := strings.Cut(desc, " ")
	if !ok || !strings.EqualFold(first, strings.ReplaceAll(property, "_", "")) {
		return desc
	}
	next, after, _ := strings.Cut(rest, " ")
	switch next {
	case "and", "or", "":
		return desc
	case "is", "are":
		rest = after
	}
	r, size := utf8.DecodeRuneInString(rest)
	return string(unicode.ToUpper(r)) + rest[size:]
}
