package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// hostileText are strings that are not text, as JSON spells them and as a
// query string does: a NUL, bytes that are not UTF-8, half a UTF-16 pair.
var hostileText = []struct{ name, json, query string }{
	{"NUL", `"a\u0000b"`, "a%00b"},
	{"invalid UTF-8", "\"\xff\xfeX\"", "%FF%FEX"},
	{"lone surrogate", `"a\ud800b"`, "a%ED%A0%80b"},
}

// hostileBodies are JSON values that are not the object a route takes.
var hostileBodies = []string{"null", "[]", "42", `"text"`, "true"}

// Every JSON route and every string query parameter of the route table,
// sent text that is not text and bodies that are not objects: never a 5xx,
// always a 400 naming the field, and nothing written. The cases come from
// the routes the server registers and the contract's description of each,
// so a new route is covered by itself.
func TestHostileInputIsRefusedByName(t *testing.T) {
	t.Parallel()
	contract, err := apitest.LoadContract()
	require.NoError(t, err)
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		target := e.User(org, apitest.UserOpts{})
		before := e.RowCounts()
		covered := map[string]int{}
		for _, r := range e.Server.Routes() {
			path := strings.ReplaceAll(r.Path, ":id", "{id}")
			item := contract.Doc.Paths.Find(path)
			if item == nil {
				continue // the documentation's own assets
			}
			op := item.GetOperation(r.Method)
			require.NotNil(t, op, "%s %s is in the contract", r.Method, path)
			send := strings.ReplaceAll(r.Path, ":id", target.ID.String())
			key := r.Method + " " + path
			send400 := func(req apitest.Request, field, what string) {
				t.Helper()
				req.Method, req.Invalid = r.Method, true
				if op.Security == nil || len(*op.Security) > 0 {
					req.Token = org.OwnerToken
				}
				if path == "/webhooks/sendgrid" {
					req.Header = signed(e, req.Body)
				}
				resp := e.Do(req)
				require.Equal(t, http.StatusBadRequest, resp.Status, "%s %s: %s: %s", r.Method, req.Path, what, resp.Body)
				p := resp.ExpectProblem(http.StatusBadRequest, "invalid_request")
				require.NotEmpty(t, p.Errors, "%s %s: %s names the field", r.Method, req.Path, what)
				if field != "" {
					require.Equal(t, field, p.Errors[0].Field, "%s %s: %s", r.Method, req.Path, what)
				}
				covered[key]++
			}
			if body := jsonBody(op); body != nil {
				for _, b := range hostileBodies {
					if b == "[]" && permitsArray(body) {
						continue // an empty batch or import is a shape the route takes
					}
					send400(apitest.Request{Path: send, Body: b}, "", "body "+b)
				}
				for _, f := range stringFields(body, nil) {
					field := f.name
					if path == "/users/import" && strings.HasPrefix(field, "[") {
						field = "users" + field // a bare import array is named as its object form
					}
					for _, h := range hostileText {
						send400(apitest.Request{Path: send, Body: f.body(h.json)}, field, h.name+" in "+f.name)
					}
				}
			}
			for _, name := range stringQueryParams(op) {
				for _, h := range hostileText {
					send400(apitest.Request{Path: send + "?" + url.QueryEscape(name) + "=" + h.query}, name, h.name+" in ?"+name)
				}
			}
		}
		require.Equal(t, before, e.RowCounts(), "nothing was written")
		// The routes the defects were found on are among those covered.
		for _, k := range []string{"POST /auth/token", "GET /users", "POST /users/resend-invites", "PATCH /users/{id}",
			"POST /users", "POST /users/import", "POST /webhooks/sendgrid", "GET /audit-events", "GET /jobs/{id}"} {
			require.NotZero(t, covered[k], k)
		}
	})
}

// signed signs a webhook body as SendGrid does, so the request gets past
// the signature to the decoder.
func signed(e *apitest.Env, body any) map[string]string {
	raw := []byte(body.(string))
	hdr := sendgridtest.WebhookHeaders(e.WebhookKey, e.Clock.Now(), raw)
	h := map[string]string{}
	for k := range hdr {
		h[k] = hdr.Get(k)
	}
	return h
}

// jsonBody is the schema of the operation's JSON request body, if it has one.
func jsonBody(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// stringField is one string somewhere in a request body: its field name as
// errors spell it, and the path of members and array items leading to it.
type stringField struct {
	name string
	path []string // "" is an array item
}

// body is the smallest JSON document that puts value at the field.
func (f stringField) body(value string) string {
	doc := value
	for i := len(f.path) - 1; i >= 0; i-- {
		if f.path[i] == "" {
			doc = "[" + doc + "]"
		} else {
			doc = `{"` + f.path[i] + `":` + doc + "}"
		}
	}
	return doc
}

// stringFields lists every string a schema can hold, nested objects and
// arrays included, in a stable order.
func stringFields(s *openapi3.Schema, path []string) []stringField {
	if s == nil {
		return nil
	}
	var out []stringField
	for _, alt := range slices.Concat(s.OneOf, s.AnyOf, s.AllOf) {
		out = append(out, stringFields(alt.Value, path)...)
	}
	switch {
	case s.Type.Is("string"):
		out = append(out, stringField{name: fieldName(path), path: slices.Clone(path)})
	case s.Type.Is("array") && s.Items != nil:
		out = append(out, stringFields(s.Items.Value, append(slices.Clone(path), ""))...)
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out = append(out, stringFields(s.Properties[name].Value, append(slices.Clone(path), name))...)
	}
	seen := map[string]bool{}
	return slices.DeleteFunc(out, func(f stringField) bool {
		dup := seen[f.name]
		seen[f.name] = true
		return dup
	})
}

// fieldName spells a path as field errors do: filter.q, user_ids[0].
func fieldName(path []string) string {
	var b strings.Builder
	for _, p := range path {
		switch {
		case p == "":
			b.WriteString("[0]")
		case b.Len() > 0:
			b.WriteString("." + p)
		default:
			b.WriteString(p)
		}
	}
	return b.String()
}

// permitsArray reports whether a body schema takes a JSON array.
func permitsArray(s *openapi3.Schema) bool {
	if s.Type.Is("array") {
		return true
	}
	for _, alt := range slices.Concat(s.OneOf, s.AnyOf) {
		if alt.Value != nil && alt.Value.Type.Is("array") {
			return true
		}
	}
	return false
}

// stringQueryParams lists the query parameters that take text.
func stringQueryParams(op *openapi3.Operation) []string {
	var out []string
	for _, p := range op.Parameters {
		if p.Value == nil || p.Value.In != "query" || p.Value.Schema == nil {
			continue
		}
		s := p.Value.Schema.Value
		if s.Type.Is("string") || (s.Type.Is("array") && s.Items != nil && s.Items.Value.Type.Is("string")) {
			out = append(out, p.Value.Name)
		}
	}
	return out
}

// A PATCH whose body is null, or that changes nothing, leaves the user as
// it was: updated_at untouched and no audit event.
func TestPatchThatChangesNothingWritesNothing(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{FirstName: "Ada"})
		path := "/users/" + u.ID.String()
		before := e.RowCounts()
		e.OffContract().Patch(path, org.OwnerToken, "null").ExpectProblem(http.StatusBadRequest, "invalid_request")
		e.Clock.Advance(time.Minute)
		var got api.User
		e.Patch(path, org.OwnerToken, map[string]any{}).Expect(http.StatusOK).JSON(&got)
		e.Patch(path, org.OwnerToken, map[string]any{"first_name": "Ada"}).Expect(http.StatusOK).JSON(&got)
		require.Equal(t, before, e.RowCounts())
		require.True(t, e.UserByID(org, u.ID).UpdatedAt.Equal(u.UpdatedAt), "updated_at untouched")
		require.Equal(t, u.UpdatedAt.UTC(), got.UpdatedAt.UTC())
	})
}

// A deployment that verifies another identity provider's tokens accepts an
// invitation without minting a token: 200 with the user, confirmed, and no
// token members; the provider's token then works for that user.
func TestAcceptInviteWithExternalIdentityProvider(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		token := e.InviteToken(e.LatestInvite(u).ID)
		resp := e.Post("/invites/accept", "", map[string]any{"token": token, "password": apitest.Password}).Expect(http.StatusOK)
		var body map[string]any
		resp.JSON(&body)
		require.NotContains(t, body, "access_token")
		require.NotContains(t, body, "token_type")
		require.NotContains(t, body, "expires_in")
		require.Equal(t, string(people.Confirmed), body["user"].(map[string]any)["status"])
		require.Equal(t, people.Confirmed, e.UserByID(org, u.ID).Status)
		e.Post("/invites/accept", "", map[string]any{"token": token, "password": apitest.Password}).
			ExpectProblem(http.StatusGone, "invite_accepted")
		e.Get("/me", e.Token(e.UserByID(org, u.ID))).Expect(http.StatusOK)
	}, apitest.Options{ExternalIdP: true})
}

// An internationalised domain is stored in its ASCII form: both spellings
// are one address, so either finds a duplicate of the other and signs in.
func TestInternationalisedDomainsHaveOneSpelling(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		var u api.User
		e.Post("/users", org.OwnerToken, map[string]any{"email": "jürgen@Bücher.example"}).Expect(http.StatusCreated).JSON(&u)
		require.Equal(t, "jürgen@xn--bcher-kva.example", u.Email)
		e.Post("/users", org.OwnerToken, map[string]any{"email": "jürgen@xn--bcher-kva.example"}).ExpectProblem(http.StatusConflict, "email_taken")

		other := e.Org()
		e.Post("/users", other.OwnerToken, map[string]any{"email": "ada@xn--bcher-kva.example"}).Expect(http.StatusCreated)
		e.Post("/users", other.OwnerToken, map[string]any{"email": "ada@bücher.example"}).ExpectProblem(http.StatusConflict, "email_taken")

		confirmed := e.User(org, apitest.UserOpts{Email: "grace@bücher.example", Status: people.Confirmed})
		require.Equal(t, "grace@xn--bcher-kva.example", confirmed.Email)
		for _, spelling := range []string{"grace@bücher.example", "grace@xn--bcher-kva.example"} {
			e.Post("/auth/token", "", map[string]any{"organization": org.Slug, "email": spelling, "password": apitest.Password}).
				Expect(http.StatusOK)
		}
	})
}
