package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

func getOrganization(e *apitest.Env, token string) api.Organization {
	e.T.Helper()
	var o api.Organization
	e.Get("/organization", token).Expect(http.StatusOK).JSON(&o)
	return o
}

// Managers read the settings; only owners and admins change them, and every
// change is audited with the old and the new values.
func TestOrganizationSettings(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		admin, adminToken := e.Manager(org, people.Admin)
		_, hrToken := e.Manager(org, people.HR)
		_, curatorToken := e.Manager(org, people.Curator, people.PermissionPeople)
		_, learnerToken := e.Manager(org, people.Learner)

		o := getOrganization(e, hrToken)
		require.Equal(t, api.Organization{ID: org.ID, Slug: org.Slug, Name: org.Name, InviteTTL: 168, DefaultLocale: "en",
			TimeZone: "UTC", CreatedAt: org.CreatedAt, UpdatedAt: org.UpdatedAt}, o)
		require.Equal(t, o, getOrganization(e, curatorToken))
		e.Get("/organization", learnerToken).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Get("/organization", "").ExpectProblem(http.StatusUnauthorized, "unauthorized")

		for _, token := range []string{hrToken, curatorToken, learnerToken} {
			e.Patch("/organization", token, map[string]any{"invite_ttl": 48}).ExpectProblem(http.StatusForbidden, "forbidden")
		}
		require.Equal(t, o, getOrganization(e, hrToken), "a refused change changes nothing")

		var changed api.Organization
		e.Patch("/organization", adminToken, map[string]any{"name": "  Demo Learning Co ", "invite_ttl": 336, "default_locale": "de",
			"time_zone": "Europe/Berlin"}).Expect(http.StatusOK).JSON(&changed)
		require.Equal(t, "Demo Learning Co", changed.Name)
		require.Equal(t, 336, changed.InviteTTL)
		require.Equal(t, "de", changed.DefaultLocale)
		require.Equal(t, "Europe/Berlin", changed.TimeZone)
		require.True(t, changed.UpdatedAt.After(o.UpdatedAt))
		require.Equal(t, changed, getOrganization(e, hrToken))

		events := auditEvents(e, org.OwnerToken, "action=organization.updated")
		require.Len(t, events, 1)
		require.Equal(t, admin.ID, *events[0].ActorID)
		require.Nil(t, events[0].TargetUserID)
		require.ElementsMatch(t, []any{"name", "invite_ttl", "default_locale", "time_zone"}, events[0].Metadata["fields"])
		require.Equal(t, map[string]any{"name": org.Name, "invite_ttl": float64(168), "default_locale": "en", "time_zone": "UTC"}, events[0].Metadata["from"])
		require.Equal(t, map[string]any{"name": "Demo Learning Co", "invite_ttl": float64(336), "default_locale": "de", "time_zone": "Europe/Berlin"}, events[0].Metadata["to"])

		// The owner may too; a change to the same values writes nothing.
		e.Patch("/organization", org.OwnerToken, map[string]any{"default_locale": "de", "time_zone": "Europe/Berlin"}).Expect(http.StatusOK)
		require.Len(t, auditEvents(e, org.OwnerToken, "action=organization.updated"), 1, "nothing changed, nothing audited")
		// Lower case is beyond the contract's enum; the server takes it.
		e.OffContract().Patch("/organization", org.OwnerToken, map[string]any{"default_locale": "pt-br"}).Expect(http.StatusOK).JSON(&changed)
		require.Equal(t, "pt-BR", changed.DefaultLocale, "tags are stored in canonical form")
	})
}

// Every invalid setting is reported at once, with what is allowed; nothing
// is changed.
func TestOrganizationSettingsValidation(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		before := getOrganization(e, org.OwnerToken)
		p := e.OffContract().Patch("/organization", org.OwnerToken, map[string]any{"name": " ", "invite_ttl": 23, "default_locale": "it",
			"time_zone": "Mars/Olympus_Mons"}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		fields := map[string]string{}
		for _, f := range p.Errors {
			fields[f.Field] = f.Code
		}
		require.Equal(t, map[string]string{"name": "invalid", "invite_ttl": "out_of_range", "default_locale": "unsupported", "time_zone": "invalid"}, fields)
		for _, f := range p.Errors {
			if f.Field == "default_locale" {
				require.Contains(t, f.Message, "en, de, es, fr, nl, pt-BR")
			}
		}

		for _, bad := range []map[string]any{
			{"invite_ttl": 721}, {"invite_ttl": 0}, {"default_locale": "not a language"}, {"default_locale": ""},
			{"time_zone": "Local"}, {"time_zone": ""}, {"name": strings.Repeat("x", 201)},
		} {
			e.OffContract().Patch("/organization", org.OwnerToken, bad).ExpectProblem(http.StatusBadRequest, "invalid_request")
		}
		e.Do(apitest.Request{Method: http.MethodPatch, Path: "/organization", Token: org.OwnerToken, Body: map[string]any{"invite_ttl": 36.5},
			Invalid: true}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		e.Do(apitest.Request{Method: http.MethodPatch, Path: "/organization", Token: org.OwnerToken, Body: map[string]any{"slug": "other"},
			Invalid: true}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, before, getOrganization(e, org.OwnerToken))
		require.Empty(t, auditEvents(e, org.OwnerToken, "action=organization.updated"))
	})
}

// The organization's settings apply to what happens after the change: new
// invitations live invite_ttl, new people get default_locale; an
// invitation already sent keeps its expiry and a person their language.
func TestOrganizationDefaultsApplyFromNowOn(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		before := e.User(org, apitest.UserOpts{})
		sent := e.LatestInvite(before)

		e.Patch("/organization", org.OwnerToken, map[string]any{"invite_ttl": 48, "default_locale": "fr"}).Expect(http.StatusOK)

		require.Equal(t, sent.ExpiresAt, getUser(e, org.OwnerToken, before.ID).Invite.ExpiresAt, "a sent invitation keeps its expiry")
		require.Equal(t, "en", getUser(e, org.OwnerToken, before.ID).Locale, "a person keeps their language")

		var res api.ResendResult
		e.Post(userPath(before.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		require.Equal(t, res.Invite.CreatedAt.Add(48*time.Hour).Truncate(time.Second), res.Invite.ExpiresAt)

		var after api.User
		createUser(e, org.OwnerToken, map[string]any{"email": "nouvelle@example.com"}).Expect(http.StatusCreated).JSON(&after)
		require.Equal(t, "fr", after.Locale)
		require.Equal(t, after.Invite.CreatedAt.Add(48*time.Hour).Truncate(time.Second), after.Invite.ExpiresAt)
	})
}

// R8: one organization's settings are its own.
func TestOrganizationSettingsAreTheCallersOwn(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org, other := e.Org(), e.Org()
		theirs := getOrganization(e, other.OwnerToken)
		e.Patch("/organization", org.OwnerToken, map[string]any{"name": "Mine", "invite_ttl": 24, "default_locale": "nl",
			"time_zone": "Asia/Tokyo"}).Expect(http.StatusOK)
		require.Equal(t, theirs, getOrganization(e, other.OwnerToken))
		r := e.Get("/organization", org.OwnerToken).Expect(http.StatusOK)
		for _, leak := range []string{other.ID.String(), other.Slug, other.Name} {
			require.NotContains(t, string(r.Body), leak)
		}
		require.Empty(t, auditEvents(e, other.OwnerToken, "action=organization.updated"))
	})
}
