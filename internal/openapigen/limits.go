package openapigen

import (
	"encoding/json"
	"maps"
	"math"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// TextMaxLengthExtension is the operation annotation giving the most
// characters a text/* request body may hold (`@x-text-max-length 10485760`):
// Swagger 2.0 annotations cannot put a limit on a body that is a document
// rather than a schema.
const TextMaxLengthExtension = "x-text-max-length"

// Lengths that follow from a string's format.
const (
	// uuidLength is the canonical hyphenated spelling of a UUID.
	uuidLength = 36
	// dateTimeLength is the longest RFC 3339 time the service reads:
	// seconds with nine fractional digits and a numeric offset.
	dateTimeLength = len("2006-01-02T15:04:05.999999999-07:00")
)

// limits writes down what a generator for a typed language, or a linter
// looking for unbounded input, needs and a Swagger 2.0 annotation cannot
// say:
//
//   - every integer is format int32 unless annotated otherwise: every
//     integer the service reads or answers (page sizes, counts of people
//     per organization, rows of an import, seconds) fits in 32 bits;
//   - a uuid string is at most 36 characters and a date-time at most 35,
//     which is all their formats allow;
//   - an array of enumerated values lists each value at most once, so it
//     holds at most as many items as there are values.
func (g *generator) limits() {
	g.eachSchema(func(s *openapi3.Schema) {
		switch {
		case s.Type.Is(openapi3.TypeInteger) && s.Format == "":
			s.Format = "int32"
		case s.Type.Is(openapi3.TypeString) && s.MaxLength == nil && s.Format == "uuid":
			s.MaxLength = new(uint64(uuidLength))
		case s.Type.Is(openapi3.TypeString) && s.MaxLength == nil && s.Format == "date-time":
			s.MaxLength = new(uint64(dateTimeLength))
		case s.Type.Is(openapi3.TypeArray) && s.MaxItems == nil && s.Items != nil && s.Items.Value != nil && len(s.Items.Value.Enum) > 0:
			s.MaxItems = new(uint64(len(s.Items.Value.Enum)))
			s.UniqueItems = true
		}
		if s.Format == "int32" && s.Max != nil && *s.Max > math.MaxInt32 {
			g.fail("a schema of format int32 has maximum %v, beyond 32 bits: annotate it format(int64)", *s.Max)
		}
	})
}

// textLimit reads and removes an operation's x-text-max-length and puts it
// on its text request bodies.
func (g *generator) textLimit(where string, op *openapi3.Operation) {
	raw, ok := op.Extensions[TextMaxLengthExtension]
	if !ok {
		return
	}
	delete(op.Extensions, TextMaxLengthExtension)
	var n uint64
	b, err := json.Marshal(raw)
	if err == nil {
		err = json.Unmarshal(b, &n)
	}
	if err != nil || n == 0 {
		g.fail("%s: @%s must be a positive whole number, got %v", where, TextMaxLengthExtension, raw)
		return
	}
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		g.fail("%s: @%s on an operation without a body", where, TextMaxLengthExtension)
		return
	}
	found := false
	for mt, media := range op.RequestBody.Value.Content {
		if isJSON(mt) || media.Schema == nil || media.Schema.Value == nil {
			continue
		}
		media.Schema.Value.MaxLength = new(n)
		found = true
	}
	if !found {
		g.fail("%s: @%s needs a text request body", where, TextMaxLengthExtension)
	}
}

// eachSchema calls fn once for every schema of the document: components,
// parameters, headers, bodies, and everything nested in them.
func (g *generator) eachSchema(fn func(*openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Ref != "" || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		fn(s)
		for _, name := range sortedKeys(s.Properties) {
			visit(s.Properties[name])
		}
		visit(s.Items)
		visit(s.AdditionalProperties.Schema)
		visit(s.Not)
		for _, subs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, sub := range subs {
				visit(sub)
			}
		}
	}
	params := func(ps openapi3.Parameters) {
		for _, p := range ps {
			if p.Ref == "" && p.Value != nil {
				visit(p.Value.Schema)
			}
		}
	}
	headers := func(hs openapi3.Headers) {
		for _, name := range sortedKeys(hs) {
			if h := hs[name]; h.Ref == "" && h.Value != nil {
				visit(h.Value.Schema)
			}
		}
	}
	content := func(c openapi3.Content) {
		for _, mt := range sortedKeys(c) {
			visit(c[mt].Schema)
		}
	}
	c := g.doc.Components
	for _, name := range sortedKeys(c.Schemas) {
		visit(c.Schemas[name])
	}
	for _, name := range sortedKeys(c.Parameters) {
		params(openapi3.Parameters{c.Parameters[name]})
	}
	headers(c.Headers)
	for _, path := range g.doc.Paths.Keys() {
		item := g.doc.Paths.Value(path)
		params(item.Parameters)
		ops := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op := ops[method]
			params(op.Parameters)
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				content(op.RequestBody.Value.Content)
			}
			for _, status := range op.Responses.Keys() {
				if r := op.Responses.Value(status); r != nil && r.Value != nil {
					headers(r.Value.Headers)
					content(r.Value.Content)
				}
			}
		}
	}
}
