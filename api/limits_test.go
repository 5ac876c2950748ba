package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/people"
)

// requestStrings are the request fields and parameters whose bound the
// domain enforces, by name: wherever a request carries one, the contract
// must publish the domain's own limit.
var requestStrings = map[string]int{
	"email":            people.MaxEmailLength,
	"first_name":       people.MaxNameLength,
	"last_name":        people.MaxNameLength,
	"organization":     people.MaxSlugLength,
	"password":         auth.MaxPasswordLength,
	"new_password":     auth.MaxPasswordLength,
	"current_password": auth.MaxPasswordLength,
	"token":            auth.MaxInviteTokenLength,
	"refresh_token":    auth.RefreshTokenLength,
	"locale":           people.MaxLocaleLength,
	"q":                people.MaxQueryLength,
	"cursor":           people.MaxCursorLength,
	"items_cursor":     people.MaxCursorLength,
}

// unboundedArrays are request arrays without maxItems, each with the
// reason the server needs none.
var unboundedArrays = map[string]string{
	// SendGrid chooses the size of its batches; the 5 MiB body limit bounds them.
	"POST /webhooks/sendgrid body": "",
}

// Every limit the server enforces on a request is in openapi.yaml, with
// the domain's own number: string lengths by field name, the sizes of the
// bulk selections, page sizes and the import file. And no request string
// or array is left unbounded, so a generated client or a gateway can
// refuse oversized input before it is sent.
func TestContractCarriesTheServersLimits(t *testing.T) {
	t.Parallel()
	doc := contract(t).Doc
	visited := map[string]bool{}
	walkRequests(doc, func(where, name string, s *openapi3.Schema) {
		switch {
		case s.Type.Is(openapi3.TypeString):
			if want, ok := requestStrings[name]; ok {
				visited[name] = true
				require.NotNil(t, s.MaxLength, "%s: %s has no maxLength", where, name)
				require.EqualValues(t, want, *s.MaxLength, "%s: %s", where, name)
			}
			require.True(t, s.MaxLength != nil || len(s.Enum) > 0, "%s: the string %s has neither maxLength nor enum", where, name)
			if strings.Contains(name, "password") && s.MinLength > 0 {
				require.EqualValues(t, auth.MinPasswordLength, s.MinLength, "%s: %s", where, name)
			}
		case s.Type.Is(openapi3.TypeArray):
			if _, ok := unboundedArrays[where]; !ok {
				require.NotNil(t, s.MaxItems, "%s: the array %s has no maxItems", where, name)
			}
		case s.Type.Is(openapi3.TypeInteger):
			require.Equal(t, "int32", s.Format, "%s: %s", where, name)
			require.NotNil(t, s.Max, "%s: the integer %s has no maximum", where, name)
		}
	})
	for name := range requestStrings {
		require.True(t, visited[name], "no request carries %s any more: drop it from requestStrings", name)
	}

	body := func(path, mediaType string) *openapi3.Schema {
		return doc.Paths.Value(path).Post.RequestBody.Value.Content.Get(mediaType).Schema.Value
	}
	query := func(path, name string) *openapi3.Schema {
		return doc.Paths.Value(path).Get.Parameters.GetByInAndName(openapi3.ParameterInQuery, name).Schema.Value
	}
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	for _, tc := range []struct {
		name string
		got  *uint64
		want int
	}{
		{"BulkResendRequest.user_ids", schema("BulkResendRequest").Properties["user_ids"].Value.MaxItems, people.MaxBulkUserIDs},
		{"ImportRequest.users", schema("ImportRequest").Properties["users"].Value.MaxItems, people.MaxImportRows},
		{"POST /users/import JSON array", body("/users/import", "application/json").OneOf[1].Value.MaxItems, people.MaxImportRows},
		{"POST /users/import CSV", body("/users/import", "text/csv").MaxLength, api.ImportBodyLimit},
	} {
		require.NotNil(t, tc.got, tc.name)
		require.EqualValues(t, tc.want, *tc.got, tc.name)
	}
	for _, tc := range []struct {
		path, name string
		want       int
	}{
		{"/users", "limit", people.MaxPageSize},
		{"/audit-events", "limit", people.MaxPageSize},
		{"/jobs", "limit", people.MaxPageSize},
		{"/jobs/{id}", "items_limit", people.MaxItemPageSize},
	} {
		require.EqualValues(t, tc.want, *query(tc.path, tc.name).Max, "%s %s", tc.path, tc.name)
	}
}

// walkRequests calls fn for every schema a request can carry: parameters,
// headers and bodies, with where it is and the name of its field.
func walkRequests(doc *openapi3.T, fn func(where, name string, s *openapi3.Schema)) {
	var visit func(where, name string, ref *openapi3.SchemaRef)
	visit = func(where, name string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil {
			return
		}
		s := ref.Value
		fn(where, name, s)
		for prop, p := range s.Properties {
			visit(where, prop, p)
		}
		visit(where, name, s.Items)
		for _, sub := range s.OneOf {
			visit(where, name, sub)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			for _, p := range op.Parameters {
				visit(where, p.Value.Name, p.Value.Schema)
			}
			if op.RequestBody != nil {
				for _, media := range op.RequestBody.Value.Content {
					visit(where+" body", "body", media.Schema)
				}
			}
		}
	}
}

// The limits the domain enforces on its own answer as the contract says,
// one character over each: a 400 naming the field, or for an activation
// token the 404 of any link that is not one.
func TestRequestsOverTheLimitsAreRefused(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for _, email := range []string{"a@example.com", "b@example.com"} {
			e.Post("/users", org.OwnerToken, map[string]any{"email": email, "send_invite": false}).Expect(http.StatusCreated)
		}
		// Real cursors. The position of a listing by email is an email, so
		// a longer one is still a position, until it is longer than a cursor may be.
		var users, events struct {
			NextCursor string `json:"next_cursor"`
		}
		e.Get("/users?sort=email&limit=1", org.OwnerToken).Expect(http.StatusOK).JSON(&users)
		e.Get("/audit-events?limit=1", org.OwnerToken).Expect(http.StatusOK).JSON(&events)
		longest := grown(t, users.NextCursor, "e", people.MaxCursorLength-2)
		require.LessOrEqual(t, len(longest), people.MaxCursorLength)
		e.Get("/users?sort=email&limit=1&cursor="+longest, org.OwnerToken).Expect(http.StatusOK)

		over := func(n int) string { return strings.Repeat("a", n+1) }
		for _, tc := range []struct {
			name  string
			req   apitest.Request
			field string
		}{
			{"email", apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken,
				Body: map[string]any{"email": over(people.MaxEmailLength-len("@example.com")) + "@example.com"}}, "email"},
			{"first_name", apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken,
				Body: map[string]any{"email": "n@example.com", "first_name": over(people.MaxNameLength)}}, "first_name"},
			{"q", apitest.Request{Method: http.MethodGet, Path: "/users?q=" + over(people.MaxQueryLength), Token: org.OwnerToken}, "q"},
			{"filter.q", apitest.Request{Method: http.MethodPost, Path: "/users/resend-invites", Token: org.OwnerToken,
				Body: map[string]any{"filter": map[string]any{"q": over(people.MaxQueryLength)}, "dry_run": true}}, "filter.q"},
			{"user_ids", apitest.Request{Method: http.MethodPost, Path: "/users/resend-invites", Token: org.OwnerToken,
				Body: map[string]any{"user_ids": make([]string, people.MaxBulkUserIDs+1), "dry_run": true}}, "user_ids"},
			{"cursor", apitest.Request{Method: http.MethodGet, Token: org.OwnerToken,
				Path: "/users?sort=email&limit=1&cursor=" + grown(t, users.NextCursor, "e", people.MaxCursorLength+1)}, "cursor"},
			{"audit cursor", apitest.Request{Method: http.MethodGet, Token: org.OwnerToken,
				Path: "/audit-events?limit=1&cursor=" + grown(t, events.NextCursor, "i", people.MaxCursorLength+1)}, "cursor"},
			{"new_password", apitest.Request{Method: http.MethodPut, Path: "/me/password", Token: org.OwnerToken,
				Body: map[string]any{"current_password": apitest.Password, "new_password": over(auth.MaxPasswordLength)}}, "new_password"},
		} {
			tc.req.Invalid = true
			p := e.Do(tc.req).Problem()
			require.Equal(t, http.StatusBadRequest, p.Status, "%s: %+v", tc.name, p)
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
			}
			require.Contains(t, fields, tc.field, tc.name)
		}
		e.Do(apitest.Request{Method: http.MethodPost, Path: "/invites/verify", Invalid: true,
			Body: map[string]any{"token": strings.Repeat("A", auth.MaxInviteTokenLength+1)}}).ExpectProblem(http.StatusNotFound, "invite_not_found")
	})
}

// grown returns cursor with the string member key made longer, one
// character at a time, until the cursor is at least n characters long
// (each character adds one or two).
func grown(t *testing.T, cursor, key string, n int) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	for {
		b, err := json.Marshal(m)
		require.NoError(t, err)
		if out := base64.RawURLEncoding.EncodeToString(b); len(out) >= n {
			return out
		}
		m[key] = "a" + m[key].(string)
	}
}
