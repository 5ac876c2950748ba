package openapigen_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/openapigen"
)

// The committed contract is exactly what the committed swag output
// converts to: openapi.yaml and docs/problems.md carry no hand edits.
// (`make check-docs` also proves docs/swagger.json matches the annotations.)
func TestCommittedContractIsGenerated(t *testing.T) {
	t.Parallel()
	swagger, err := os.ReadFile("../../docs/swagger.json")
	require.NoError(t, err)
	doc, err := openapigen.Generate(swagger, apperr.Catalog)
	require.NoError(t, err)
	got, err := openapigen.YAML(doc)
	require.NoError(t, err)
	want, err := os.ReadFile("../../openapi.yaml")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "openapi.yaml differs from its generation: run make docs")

	problems, err := os.ReadFile("../../docs/problems.md")
	require.NoError(t, err)
	require.Equal(t, string(problems), openapigen.ProblemsMarkdown(apperr.Catalog), "docs/problems.md differs: run make docs")

	again, err := openapigen.Generate(swagger, apperr.Catalog)
	require.NoError(t, err)
	twice, err := openapigen.YAML(again)
	require.NoError(t, err)
	require.Equal(t, string(got), string(twice), "generation is deterministic")
}

var catalog = []apperr.Entry{
	{Code: "invalid_request", Status: 400, Title: "Invalid request", Meaning: "Fix the `request`."},
	{Code: "unauthorized", Status: 401, Title: "Authentication required", Meaning: "Sign in."},
	{Code: "not_found", Status: 404, Title: "Not found", Meaning: "No such thing."},
	{Code: "payload_too_large", Status: 413, Title: "Too large", Meaning: "Smaller."},
	{Code: "rate_limited", Status: 429, Title: "Too many requests", Meaning: "Wait."},
	{Code: "internal", Status: 500, Title: "Internal error", Meaning: "Oops."},
}

// fixture is a small swag output with one public and one secured route.
func fixture() map[string]any {
	problem := map[string]any{"$ref": "#/definitions/api.Problem"}
	fail := func(desc string) map[string]any { return map[string]any{"description": desc, "schema": problem} }
	return map[string]any{
		"swagger": "2.0",
		"info":    map[string]any{"title": "t", "version": "1", "description": "About."},
		"tags":    []any{map[string]any{"name": "Things"}},
		"securityDefinitions": map[string]any{
			"BearerAuth": map[string]any{"type": "apiKey", "name": "Authorization", "in": "header", "description": "A token."},
		},
		"paths": map[string]any{
			"/things": map[string]any{"post": map[string]any{
				"operationId": "createThing", "summary": "Create", "tags": []any{"Things"},
				"consumes": []any{"application/json"}, "produces": []any{"application/json"},
				"parameters": []any{
					map[string]any{"name": "Idempotency-Key", "in": "header", "type": "string"},
					map[string]any{"name": "body", "in": "body", "required": true, "schema": map[string]any{"$ref": "#/definitions/api.NewThing"}},
				},
				"responses": map[string]any{
					"201": map[string]any{"description": "Created", "schema": map[string]any{"$ref": "#/definitions/api.Thing"}},
					"400": fail("invalid_request"), "413": fail("payload_too_large"), "429": fail("rate_limited: slow down"),
				},
			}},
			"/things/{id}": map[string]any{"get": map[string]any{
				"operationId": "getThing", "summary": "Get", "tags": []any{"Things"}, "produces": []any{"application/json"},
				"security": []any{map[string]any{"BearerAuth": []any{}}},
				"parameters": []any{map[string]any{"name": "id", "in": "path", "required": true, "type": "string", "format": "uuid",
					"example": "01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"}},
				"responses": map[string]any{
					"200": map[string]any{"description": "OK", "schema": map[string]any{"$ref": "#/definitions/api.Thing"}},
					"401": fail("unauthorized"), "404": fail("not_found (also for other tenants)"),
				},
			}},
		},
		"definitions": map[string]any{
			"api.Problem": map[string]any{"type": "object", "required": []any{"code", "status"}, "properties": map[string]any{
				"type":       map[string]any{"type": "string"},
				"title":      map[string]any{"type": "string"},
				"detail":     map[string]any{"type": "string"},
				"request_id": map[string]any{"type": "string"},
				"code":       map[string]any{"type": "string", "example": "not_found"},
				"status":     map[string]any{"type": "integer", "example": 404},
			}},
			"api.NewThing": map[string]any{"type": "object", "required": []any{"name"}, "properties": map[string]any{
				"name":  map[string]any{"type": "string", "example": "lamp"},
				"color": map[string]any{"type": "string", "description": "Color is the thing's color."},
				"size":  map[string]any{"type": "integer", "description": "Size and Color go together."},
				"shape": map[string]any{"type": "string", "description": "Shape says how it looks."},
			}},
			"api.Thing": map[string]any{"type": "object", "required": []any{"id", "name", "owner", "parent", "tags"}, "properties": map[string]any{
				"id":     map[string]any{"type": "string", "format": "uuid", "example": "01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"},
				"name":   map[string]any{"type": "string", "example": "lamp"},
				"owner":  map[string]any{"type": "string", "x-nullable": true},
				"parent": map[string]any{"allOf": []any{map[string]any{"$ref": "#/definitions/api.Ref"}}, "x-nullable": true},
				"tags":   map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": []any{"new"}}},
				"kind":   map[string]any{"type": "string", "example": "light"},
			}},
			"api.Ref": map[string]any{"type": "object", "required": []any{"id"}, "properties": map[string]any{
				"id": map[string]any{"type": "string", "example": "p1"},
			}},
		},
	}
}

func generate(t *testing.T, edit func(doc map[string]any)) (*openapi3.T, error) {
	t.Helper()
	f := fixture()
	if edit != nil {
		edit(f)
	}
	raw, err := json.Marshal(f)
	require.NoError(t, err)
	return openapigen.Generate(raw, catalog)
}

func path(doc map[string]any, p, method string) map[string]any {
	return doc["paths"].(map[string]any)[p].(map[string]any)[method].(map[string]any)
}

func responses(doc map[string]any, p, method string) map[string]any {
	return path(doc, p, method)["responses"].(map[string]any)
}

func TestGenerateAddsWhatEveryRouteHas(t *testing.T) {
	t.Parallel()
	doc, err := generate(t, nil)
	require.NoError(t, err)

	create := doc.Paths.Value("/things").Post
	get := doc.Paths.Value("/things/{id}").Get
	require.Equal(t, "#/components/parameters/IdempotencyKey", create.Parameters[0].Ref)
	require.Equal(t, "01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b", get.Parameters[0].Value.Example, "parameter examples survive the conversion")
	require.NotNil(t, create.Security, "public operations say so")
	require.Empty(t, *create.Security)
	require.Equal(t, "bearer", doc.Components.SecuritySchemes[openapigen.SecurityScheme].Value.Scheme)

	for _, op := range []*openapi3.Operation{create, get} {
		require.NotNil(t, op.Responses.Value("500"), "every operation can fail unexpectedly")
		for status, r := range op.Responses.Map() {
			require.Contains(t, r.Value.Headers, "X-Request-ID", status)
		}
	}
	require.Contains(t, create.Responses.Value("429").Value.Headers, "Retry-After")
	require.Contains(t, create.Responses.Value("201").Value.Headers, "Location")
	require.Contains(t, create.Responses.Value("201").Value.Headers, "Idempotent-Replayed")
	require.NotContains(t, get.Responses.Value("200").Value.Headers, "Idempotent-Replayed")
	require.Contains(t, get.Responses.Value("401").Value.Headers, "WWW-Authenticate")

	notFound := get.Responses.Value("404").Value
	require.Equal(t, []any{"not_found"}, notFound.Extensions[openapigen.ProblemCodesExtension])
	media := notFound.Content.Get(openapigen.MediaTypeProblem)
	require.NotNil(t, media, "errors are problem+json")
	require.Equal(t, "#/components/schemas/Problem", media.Schema.Ref)
	require.Equal(t, "/problems/not_found", media.Examples["not_found"].Value.Value.(map[string]any)["type"])
	require.Equal(t, "No such thing.", media.Examples["not_found"].Value.Value.(map[string]any)["detail"])

	var codes []string
	for _, v := range doc.Components.Schemas["Problem"].Value.Properties["code"].Value.Enum {
		codes = append(codes, v.(string))
	}
	require.Equal(t, []string{"invalid_request", "unauthorized", "not_found", "payload_too_large", "rate_limited", "internal"}, codes)
	require.Contains(t, doc.Info.Description, "| `not_found` | 404 Not Found | Not found | No such thing. |")
}

func TestGenerateTightensSchemas(t *testing.T) {
	t.Parallel()
	doc, err := generate(t, nil)
	require.NoError(t, err)
	thing := doc.Components.Schemas["Thing"].Value
	require.NotNil(t, thing.AdditionalProperties.Has)
	require.False(t, *thing.AdditionalProperties.Has, "undocumented properties fail")
	require.True(t, thing.Properties["owner"].Value.Nullable)
	parent := thing.Properties["parent"].Value
	require.True(t, parent.Nullable)
	require.True(t, parent.Type.Is(openapi3.TypeObject), "OpenAPI 3.0 ignores nullable without a type")
	require.Nil(t, parent.AdditionalProperties.Has, "the wrapper of a reference stays open; the referenced schema is closed")
	props := doc.Components.Schemas["NewThing"].Value.Properties
	require.Equal(t, "The thing's color.", props["color"].Value.Description, "Go field comments lose the field's name")
	require.Equal(t, "Says how it looks.", props["shape"].Value.Description)
	require.Equal(t, "Size and Color go together.", props["size"].Value.Description, "comments on several fields stay")
}

func TestGenerateAssemblesExamples(t *testing.T) {
	t.Parallel()
	doc, err := generate(t, nil)
	require.NoError(t, err)
	request := doc.Paths.Value("/things").Post.RequestBody.Value.Content.Get("application/json").Example
	require.Equal(t, map[string]any{"name": "lamp"}, request, "required properties, and optional ones with an example")
	answer := doc.Paths.Value("/things/{id}").Get.Responses.Value("200").Value.Content.Get("application/json").Example
	require.Equal(t, map[string]any{
		"id": "01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b", "name": "lamp", "kind": "light",
		"owner": nil, "parent": map[string]any{"id": "p1"}, "tags": []any{},
	}, answer)

	doc, err = generate(t, func(d map[string]any) {
		path(d, "/things/{id}", "get")["x-examples"] = map[string]any{"200": map[string]any{"id": "01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b",
			"name": "given", "owner": "me", "parent": nil, "tags": []any{"new"}}}
	})
	require.NoError(t, err)
	answer = doc.Paths.Value("/things/{id}").Get.Responses.Value("200").Value.Content.Get("application/json").Example
	require.Equal(t, "given", answer.(map[string]any)["name"], "an annotated example wins")
	require.NotContains(t, doc.Paths.Value("/things/{id}").Get.Extensions, openapigen.ExamplesExtension)
}

// A body that is CSV or JSON: the CSV is a text document with the
// annotated example, the JSON gets its example assembled.
func TestGenerateTextAndJSONBodies(t *testing.T) {
	t.Parallel()
	addImport := func(d map[string]any, examples any) {
		op := map[string]any{
			"operationId": "importThings", "summary": "Import", "tags": []any{"Things"},
			"consumes": []any{"text/csv", "application/json"}, "produces": []any{"application/json"},
			"parameters": []any{map[string]any{"name": "body", "in": "body", "required": true,
				"schema": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/definitions/api.NewThing"}}}},
			"responses": map[string]any{
				"204": map[string]any{"description": "Imported"},
				"400": map[string]any{"description": "invalid_request", "schema": map[string]any{"$ref": "#/definitions/api.Problem"}},
				"413": map[string]any{"description": "payload_too_large", "schema": map[string]any{"$ref": "#/definitions/api.Problem"}},
			},
		}
		if examples != nil {
			op["x-examples"] = examples
		}
		d["paths"].(map[string]any)["/imports"] = map[string]any{"post": op}
	}
	doc, err := generate(t, func(d map[string]any) { addImport(d, map[string]any{"request": "name\nlamp\n"}) })
	require.NoError(t, err)
	content := doc.Paths.Value("/imports").Post.RequestBody.Value.Content
	csv := content.Get("text/csv")
	require.True(t, csv.Schema.Value.Type.Is(openapi3.TypeString), "CSV is a document")
	require.Equal(t, "name\nlamp\n", csv.Example)
	require.Equal(t, []any{map[string]any{"name": "lamp"}}, content.Get("application/json").Example)

	_, err = generate(t, func(d map[string]any) { addImport(d, nil) })
	require.ErrorContains(t, err, `the request body text/csv needs an example in @x-examples {"request": …}`)
}

// Annotations that break the house rules are refused with a message that
// says what to fix.
func TestGenerateRefusesIncompleteAnnotations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(doc map[string]any)
		want string
	}{
		{"operation id", func(d map[string]any) { path(d, "/things", "post")["operationId"] = "create_thing" }, "must be camelCase"},
		{"undeclared tag", func(d map[string]any) { path(d, "/things", "post")["tags"] = []any{"Stuff"} }, `tag "Stuff" is not declared`},
		{"no summary", func(d map[string]any) { delete(path(d, "/things", "post"), "summary") }, "@Summary is missing"},
		{"secured without 401", func(d map[string]any) { delete(responses(d, "/things/{id}", "get"), "401") }, "must document @Failure 401"},
		{"path parameter without 404", func(d map[string]any) { delete(responses(d, "/things/{id}", "get"), "404") }, "must document @Failure 404"},
		{"body without 413", func(d map[string]any) { delete(responses(d, "/things", "post"), "413") }, "must document @Failure 413"},
		{"problem without code", func(d map[string]any) {
			responses(d, "/things", "post")["400"].(map[string]any)["description"] = "Bad request"
		}, "must name its problem codes"},
		{"code of another status", func(d map[string]any) {
			responses(d, "/things", "post")["400"].(map[string]any)["description"] = "not_found"
		}, "names not_found, whose status is 404"},
		{"example missing", func(d map[string]any) {
			props := d["definitions"].(map[string]any)["api.Ref"].(map[string]any)["properties"].(map[string]any)
			props["id"] = map[string]any{"type": "string"}
		}, "Thing.parent.id: add an example"},
		{"unused x-examples", func(d map[string]any) {
			path(d, "/things/{id}", "get")["x-examples"] = map[string]any{"204": "nothing"}
		}, `x-examples names "204"`},
		{"invalid example", func(d map[string]any) {
			path(d, "/things/{id}", "get")["x-examples"] = map[string]any{"200": map[string]any{"id": "x"}}
		}, "invalid"},
		{"names that collide", func(d map[string]any) {
			d["definitions"].(map[string]any)["other.Thing"] = map[string]any{"type": "object"}
		}, "both shorten to Thing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := generate(t, tc.edit)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestYAMLOrdersKeysForReaders(t *testing.T) {
	t.Parallel()
	doc, err := generate(t, nil)
	require.NoError(t, err)
	out, err := openapigen.YAML(doc)
	require.NoError(t, err)
	s := string(out)
	require.True(t, strings.HasPrefix(s, "openapi: 3.0.3\ninfo:\n  title: t\n"), s[:80])
	require.Less(t, strings.Index(s, "\npaths:"), strings.Index(s, "\ncomponents:"))
	require.Less(t, strings.Index(s, "summary: Create"), strings.Index(s, "operationId: createThing"))
	loaded, err := openapi3.NewLoader().LoadFromData(out)
	require.NoError(t, err, "the YAML loads back")
	require.NoError(t, loaded.Validate(t.Context()))
}

func TestProblemsMarkdownListsEveryCode(t *testing.T) {
	t.Parallel()
	md := openapigen.ProblemsMarkdown(catalog)
	for _, e := range catalog {
		require.Contains(t, md, "| `"+string(e.Code)+"` |")
	}
	require.Contains(t, md, "Fix the `request`.", "meanings keep their Markdown")
}

func TestGenerateWritesDownLimits(t *testing.T) {
	t.Parallel()
	doc, err := generate(t, nil)
	require.NoError(t, err)
	props := doc.Components.Schemas["Thing"].Value.Properties
	require.EqualValues(t, 36, *props["id"].Value.MaxLength, "a uuid is 36 characters")
	tags := props["tags"].Value
	require.EqualValues(t, 1, *tags.MaxItems, "an array of enumerated values lists each at most once")
	require.True(t, tags.UniqueItems)
	require.Equal(t, "int32", doc.Components.Schemas["NewThing"].Value.Properties["size"].Value.Format)
	require.Equal(t, "int32", doc.Components.Schemas["Problem"].Value.Properties["status"].Value.Format)
	require.EqualValues(t, 36, *doc.Paths.Value("/things/{id}").Get.Parameters[0].Value.Schema.Value.MaxLength)

	// A text body takes its limit from x-text-max-length.
	doc, err = generate(t, func(d map[string]any) {
		op := path(d, "/things", "post")
		op["consumes"] = []any{"application/json", "text/csv"}
		op["x-text-max-length"] = 1024
		op["x-examples"] = map[string]any{"request": "name\nlamp\n"}
	})
	require.NoError(t, err)
	content := doc.Paths.Value("/things").Post.RequestBody.Value.Content
	require.EqualValues(t, 1024, *content.Get("text/csv").Schema.Value.MaxLength)
	require.Nil(t, content.Get("application/json").Schema.Value.MaxLength, "the JSON body is not a text")

	_, err = generate(t, func(d map[string]any) { path(d, "/things/{id}", "get")["x-text-max-length"] = 1024 })
	require.ErrorContains(t, err, "x-text-max-length on an operation without a body")
}
