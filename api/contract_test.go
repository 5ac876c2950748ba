package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	invitedspec "github.com/invitedhq/invited"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/people"
)

func contract(t *testing.T) *apitest.Contract {
	t.Helper()
	c, err := apitest.LoadContract()
	require.NoError(t, err)
	return c
}

// Every route Echo serves is in openapi.yaml and every operation of
// openapi.yaml is served: a new route cannot ship undocumented, nor a
// documented one go missing.
func TestEveryRouteIsInTheContract(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	var served []string
	for _, r := range e.Server.Routes() {
		if r.Method == http.MethodOptions || slices.Contains(apitest.Undocumented, r.Path) {
			continue
		}
		parts := strings.Split(r.Path, "/")
		for i, p := range parts {
			if name, ok := strings.CutPrefix(p, ":"); ok {
				parts[i] = "{" + name + "}"
			}
		}
		served = append(served, r.Method+" "+strings.Join(parts, "/"))
	}
	var documented []string
	for path, item := range contract(t).Doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	require.Equal(t, documented, served, "openapi.yaml (expected) against the routes Echo serves (actual)")
}

// The enums the annotations spell out by hand are the domain's own lists.
func TestContractEnumsAreTheDomains(t *testing.T) {
	t.Parallel()
	doc := contract(t).Doc
	param := func(path, method, name string) *openapi3.Schema {
		s := doc.Paths.Value(path).GetOperation(method).Parameters.GetByInAndName(openapi3.ParameterInQuery, name).Schema.Value
		if s.Items != nil {
			return s.Items.Value
		}
		return s
	}
	property := func(schema, name string) *openapi3.Schema {
		s := doc.Components.Schemas[schema].Value.Properties[name].Value
		if s.Items != nil {
			return s.Items.Value
		}
		return s
	}
	codes := make([]string, len(apperr.Catalog))
	for i, e := range apperr.Catalog {
		codes[i] = string(e.Code)
	}
	for _, tc := range []struct {
		name   string
		schema *openapi3.Schema
		want   []string
	}{
		{"GET /users status", param("/users", http.MethodGet, "status"), strs(people.Statuses)},
		{"GET /users role", param("/users", http.MethodGet, "role"), strs(people.Roles)},
		{"GET /users delivery_status", param("/users", http.MethodGet, "delivery_status"), strs(people.DeliveryStatuses)},
		{"GET /users sort", param("/users", http.MethodGet, "sort"), strs(people.UserSorts)},
		{"GET /audit-events action", param("/audit-events", http.MethodGet, "action"), people.AuditActions},
		{"User.status", property("User", "status"), strs(people.Statuses)},
		{"User.role", property("User", "role"), strs(people.Roles)},
		{"User.permissions", property("User", "permissions"), strs(people.Permissions)},
		{"CreateUserRequest.role", property("CreateUserRequest", "role"), strs(people.Roles)},
		{"CreateUserRequest.permissions", property("CreateUserRequest", "permissions"), strs(people.Permissions)},
		{"UpdateUserRequest.role", property("UpdateUserRequest", "role"), strs(people.Roles)},
		{"Invite.state", property("Invite", "state"), strs([]people.InviteState{people.InviteLive, people.InviteExpired, people.InviteRevoked, people.InviteAccepted})},
		{"Invite.revoke_reason", property("Invite", "revoke_reason"), strs(people.RevokeReasons)},
		{"Delivery.status", property("Delivery", "status"), strs(people.DeliveryStatuses)},
		{"AuditEvent.action", property("AuditEvent", "action"), people.AuditActions},
		{"Problem.code", property("Problem", "code"), codes},
		{"Organization.default_locale", property("Organization", "default_locale"), mail.Locales()},
		{"UpdateOrganizationRequest.default_locale", property("UpdateOrganizationRequest", "default_locale"), mail.Locales()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make([]string, len(tc.schema.Enum))
			for i, v := range tc.schema.Enum {
				got[i] = fmt.Sprint(v)
			}
			require.ElementsMatch(t, tc.want, got)
		})
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// A problem's type URI resolves to the documentation of its code, as a
// page and as JSON.
func TestProblemTypesResolve(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	org := e.Org()

	p := e.Get("/users/01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b", org.OwnerToken).ExpectProblem(http.StatusNotFound, "not_found")
	page := e.Get(p.Type, "").Expect(http.StatusOK)
	require.Contains(t, page.Header.Get("Content-Type"), "text/html")
	require.Contains(t, string(page.Body), "<h1>Not found</h1>")

	for _, entry := range apperr.Catalog {
		var doc struct {
			Code   string `json:"code"`
			Status int    `json:"status"`
			Title  string `json:"title"`
		}
		e.Do(apitest.Request{Method: http.MethodGet, Path: "/problems/" + string(entry.Code), Header: map[string]string{"Accept": "application/json"}}).
			Expect(http.StatusOK).JSON(&doc)
		require.Equal(t, string(entry.Code), doc.Code)
		require.Equal(t, entry.Status, doc.Status)
		require.Equal(t, entry.Title, doc.Title)
	}
	var index struct {
		Data []struct {
			Code string `json:"code"`
		} `json:"data"`
	}
	e.Do(apitest.Request{Method: http.MethodGet, Path: "/problems", Header: map[string]string{"Accept": "application/json"}}).
		Expect(http.StatusOK).JSON(&index)
	require.Len(t, index.Data, len(apperr.Catalog))
	e.Get("/problems", "").Expect(http.StatusOK)
	e.Get("/problems/no_such_code", "").ExpectProblem(http.StatusNotFound, "not_found")
}

// The operational routes answer what the contract says, in the media types it names.
func TestOperationalRoutesKeepTheContract(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	e.Get("/healthz", "").Expect(http.StatusOK)
	e.Get("/readyz", "").Expect(http.StatusOK)
	require.Contains(t, string(e.Get("/metrics", "").Expect(http.StatusOK).Body), "invited_http_requests_total")
	spec := e.Get("/openapi.yaml", "").Expect(http.StatusOK)
	require.Equal(t, invitedspec.OpenAPI, spec.Body, "the service serves the published contract itself")
	require.Equal(t, "/docs/", e.Get("/docs", "").Expect(http.StatusFound).Header.Get("Location"))
}
