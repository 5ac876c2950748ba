package openapigen

import (
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// optionalDefaults leaves the properties that have a default out of the
// required list of every schema a request body uses: the server fills in
// a value the client left out, so the client need not send it, whatever
// swag's requiredByDefault made of the field.
func (g *generator) optionalDefaults() {
	seen := map[string]bool{}
	for _, path := range g.doc.Paths.Keys() {
		for _, op := range g.doc.Paths.Value(path).Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			for _, media := range op.RequestBody.Value.Content {
				g.optionalDefaultsIn(media.Schema, seen)
			}
		}
	}
}

func (g *generator) optionalDefaultsIn(ref *openapi3.SchemaRef, seen map[string]bool) {
	if ref == nil {
		return
	}
	s := ref.Value
	if name, ok := strings.CutPrefix(ref.Ref, componentsSchemas); ok {
		if seen[name] {
			return
		}
		seen[name] = true
		if c := g.doc.Components.Schemas[name]; c != nil {
			s = c.Value
		}
	}
	if s == nil {
		return
	}
	s.Required = slices.DeleteFunc(s.Required, func(name string) bool {
		p := s.Properties[name]
		return p != nil && p.Value != nil && p.Value.Default != nil
	})
	for _, name := range sortedKeys(s.Properties) {
		g.optionalDefaultsIn(s.Properties[name], seen)
	}
	g.optionalDefaultsIn(s.Items, seen)
	for _, sub := range slices.Concat(s.AllOf, s.OneOf, s.AnyOf) {
		g.optionalDefaultsIn(sub, seen)
	}
}
