package openapigen_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A request field the server fills in when it is left out is optional,
// even when the annotations made it required; a response field with a
// default stays as the annotations say.
func TestGenerateMakesRequestDefaultsOptional(t *testing.T) {
	t.Parallel()
	doc, err := generate(t, func(f map[string]any) {
		defs := f["definitions"].(map[string]any)
		newThing := defs["api.NewThing"].(map[string]any)
		newThing["required"] = []any{"name", "color", "parts"}
		props := newThing["properties"].(map[string]any)
		props["color"].(map[string]any)["default"] = "red"
		props["parts"] = map[string]any{"type": "array", "items": map[string]any{"$ref": "#/definitions/api.Part"}}
		defs["api.Part"] = map[string]any{"type": "object", "required": []any{"count", "label"}, "properties": map[string]any{
			"count": map[string]any{"type": "integer", "default": 1},
			"label": map[string]any{"type": "string", "example": "leg"},
		}}
		thing := defs["api.Thing"].(map[string]any)
		thing["required"] = append(thing["required"].([]any), "kind")
		thing["properties"].(map[string]any)["kind"].(map[string]any)["default"] = "light"
	})
	require.NoError(t, err)
	require.Equal(t, []string{"name", "parts"}, doc.Components.Schemas["NewThing"].Value.Required)
	require.Equal(t, []string{"label"}, doc.Components.Schemas["Part"].Value.Required, "schemas a request body reaches through others too")
	require.Contains(t, doc.Components.Schemas["Thing"].Value.Required, "kind", "responses always carry the field")
}
