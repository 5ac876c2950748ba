package openapigen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// keyOrder puts the keys a reader looks for first at the top of each
// mapping; the others follow alphabetically.
var keyOrder = []string{
	"openapi", "info", "title", "version", "summary", "description", "servers", "tags",
	"operationId", "security", "name", "in", "required", "type", "format", "nullable", "enum", "default",
	"minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "style", "explode",
	"items", "allOf", "properties", "additionalProperties", "schema", "parameters", "requestBody",
	"responses", "headers", "content", "example", "examples", "value", ProblemCodesExtension,
	"paths", "components", "schemas",
}

// YAML renders the contract deterministically: fixed key order, block
// style, multi-line text as literal blocks.
func YAML(doc *openapi3.T) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode openapi: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode openapi: %w", err)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(node(v, structural)); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	return b.Bytes(), nil
}

// mapKind says how to order a mapping's keys.
type mapKind int

const (
	// structural mappings are OpenAPI objects: keyOrder first.
	structural mapKind = iota
	// names mappings are keyed by names (paths, properties, statuses), in
	// alphabetical order; their values are OpenAPI objects again.
	names
	// data is an example or default value: alphabetical all the way down.
	data
)

// childKinds are the OpenAPI fields whose values are not plain OpenAPI objects.
var childKinds = map[string]mapKind{
	"paths": names, "schemas": names, "properties": names, "responses": names, "headers": names,
	"content": names, "examples": names, "securitySchemes": names, "parameters": names, "requestBodies": names,
	"links": names, "callbacks": names, "variables": names, "mapping": names,
	"example": data, "value": data, "default": data, "enum": data,
}

func node(v any, kind mapKind) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		if kind == structural {
			slices.SortFunc(keys, compareKeys)
		} else {
			slices.Sort(keys)
		}
		for _, k := range keys {
			child := kind
			switch kind {
			case structural:
				child = childKinds[k] // structural unless listed
			case names:
				child = structural
			case data:
			}
			n.Content = append(n.Content, scalar("!!str", k), node(x[k], child))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if kind == names {
			kind = structural // a list where a mapping of names could be: operation parameters
		}
		for _, item := range x {
			n.Content = append(n.Content, node(item, kind))
		}
		return n
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return scalar("!!float", x.String())
		}
		return scalar("!!int", x.String())
	case string:
		n := scalar("!!str", x)
		if strings.Contains(x, "\n") {
			n.Style = yaml.LiteralStyle
		}
		return n
	case bool:
		return scalar("!!bool", fmt.Sprint(x))
	case nil:
		return scalar("!!null", "null")
	}
	panic(fmt.Sprintf("openapigen: unexpected JSON value %T", v))
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}

func compareKeys(a, b string) int {
	ia, ib := slices.Index(keyOrder, a), slices.Index(keyOrder, b)
	switch {
	case ia >= 0 && ib >= 0:
		return ia - ib
	case ia >= 0:
		return -1
	case ib >= 0:
		return 1
	}
	return strings.Compare(a, b)
}
