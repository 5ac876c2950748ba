package openapigen

import (
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// example assembles an example value for a schema from the examples of
// its parts: a property's own example wins; objects include their required
// properties and the optional ones that have an example; arrays hold one
// item when the item is an object or has an example, and are empty
// otherwise; a nullable value without an example is null; an enum takes
// its first value. Anything else without an example is an error that
// names the property to annotate.
func (g *generator) example(ref *openapi3.SchemaRef) (any, error) {
	return g.exampleAt(ref, "", map[string]bool{})
}

func (g *generator) exampleAt(ref *openapi3.SchemaRef, at string, seen map[string]bool) (any, error) {
	if ref == nil {
		return nil, fmt.Errorf("%s: no schema", label(at))
	}
	if ref.Ref != "" {
		name, ok := strings.CutPrefix(ref.Ref, componentsSchemas)
		target := g.doc.Components.Schemas[name]
		if !ok || target == nil {
			return nil, fmt.Errorf("%s: unknown reference %s", label(at), ref.Ref)
		}
		if seen[name] {
			return nil, fmt.Errorf("%s: %s refers to itself; give it an example", label(at), name)
		}
		seen[name] = true
		defer delete(seen, name)
		if at == "" {
			at = name
		}
		return g.exampleAt(target, at, seen)
	}
	s := ref.Value
	if s == nil {
		return nil, fmt.Errorf("%s: empty schema", label(at))
	}
	if s.Example != nil {
		return s.Example, nil
	}
	if len(s.AllOf) == 1 {
		// swag wraps a referenced type in allOf to describe or null it.
		return g.exampleAt(s.AllOf[0], at, seen)
	}
	switch {
	case s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0:
		return g.objectExample(s, at, seen)
	case s.Type.Is(openapi3.TypeArray):
		return g.arrayExample(s, at, seen)
	case s.Nullable:
		return nil, nil
	case len(s.Enum) > 0:
		return s.Enum[0], nil
	case s.Default != nil:
		return s.Default, nil
	case s.Type.Is(openapi3.TypeBoolean):
		return false, nil
	}
	return nil, fmt.Errorf("%s: add an example (struct tag example:\"…\")", label(at))
}

func (g *generator) objectExample(s *openapi3.Schema, at string, seen map[string]bool) (any, error) {
	out := map[string]any{}
	var errs []error
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		required := false
		for _, r := range s.Required {
			required = required || r == name
		}
		if !required && (p.Value == nil || p.Value.Example == nil) {
			continue
		}
		v, err := g.exampleAt(p, at+"."+name, seen)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[name] = v
	}
	return out, errors.Join(errs...)
}

func (g *generator) arrayExample(s *openapi3.Schema, at string, seen map[string]bool) (any, error) {
	items := s.Items
	if items == nil {
		return []any{}, nil
	}
	if items.Ref == "" && (items.Value == nil || (items.Value.Example == nil && !items.Value.Type.Is(openapi3.TypeObject))) {
		return []any{}, nil
	}
	v, err := g.exampleAt(items, at+"[]", seen)
	if err != nil {
		return nil, err
	}
	return []any{v}, nil
}

func label(at string) string {
	if at == "" {
		return "schema"
	}
	return at
}
