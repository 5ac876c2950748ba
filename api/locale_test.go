package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// A user's language is set on create and edit, in canonical form, and
// defaults to the organization's default language.
func TestUserLocale(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		var u api.User
		createUser(e, org.OwnerToken, map[string]any{"email": "ana@example.com", "locale": "pt-BR"}).Expect(http.StatusCreated).JSON(&u)
		require.Equal(t, "pt-BR", u.Locale)
		require.Equal(t, u, getUser(e, org.OwnerToken, u.ID))

		var plain api.User
		createUser(e, org.OwnerToken, map[string]any{"email": "plain@example.com"}).Expect(http.StatusCreated).JSON(&plain)
		require.Equal(t, "en", plain.Locale, "the organization's default")

		// Any language is a person's language, not only those with an email.
		var it api.User
		createUser(e, org.OwnerToken, map[string]any{"email": "giulia@example.com", "locale": "it-ch"}).Expect(http.StatusCreated).JSON(&it)
		require.Equal(t, "it-CH", it.Locale)

		for _, bad := range []string{"x", "not a language", "12", "de_DE!", strings.Repeat("a", 36)} {
			// Too long is beyond the contract's maxLength; the server says so too.
			p := e.OffContract().Post("/users", org.OwnerToken, map[string]any{"email": "bad" + uuid.NewString()[:8] + "@example.com", "locale": bad}).
				ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Equal(t, "locale", p.Errors[0].Field, "%q", bad)
		}

		var edited api.User
		e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"locale": "de"}).Expect(http.StatusOK).JSON(&edited)
		require.Equal(t, "de", edited.Locale)
		for _, bad := range []string{"", "??"} {
			e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"locale": bad}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		}
		require.Equal(t, "de", getUser(e, org.OwnerToken, u.ID).Locale)

		events := auditEvents(e, org.OwnerToken, "action=user.updated&target_user_id="+u.ID.String())
		require.Len(t, events, 1)
		require.Equal(t, []any{"locale"}, events[0].Metadata["fields"])
	})
}

// The importer takes a locale column; an empty cell is the organization's
// default and a bad one fails its row.
func TestImportLocaleColumn(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.StartWorkers()
		e.Patch("/organization", org.OwnerToken, map[string]any{"default_locale": "nl"}).Expect(http.StatusOK)
		file := csvBody("email,first_name,Locale", "lena@example.com,Lena,de", "joao@example.com,João,pt-br", "sem@example.com,Sem,",
			"bad@example.com,Bad,no such tag")

		var report api.ImportReport
		postCSV(e, org.OwnerToken, "?dry_run=true", file).Expect(http.StatusOK).JSON(&report)
		require.Equal(t, 3, report.Create)
		require.Equal(t, 1, report.Fail)
		require.Equal(t, api.ImportProblem{Row: 5, Email: "bad@example.com", Outcome: "failed", Field: "locale", Code: "invalid",
			Message: `locale must be a BCP 47 language tag such as en, de or pt-BR, got "no such tag"`}, report.Problems[0])

		job := waitJob(t, e, org.OwnerToken, accepted(t, postCSV(e, org.OwnerToken, "", file)).ID, time.Minute)
		require.Equal(t, 3, job.Succeeded)
		locales := map[string]string{}
		for _, u := range listUsers(e, org.OwnerToken, "q=example.com&limit=200").Data {
			locales[u.Email] = u.Locale
		}
		require.Equal(t, "de", locales["lena@example.com"])
		require.Equal(t, "pt-BR", locales["joao@example.com"])
		require.Equal(t, "nl", locales["sem@example.com"])
		require.NotContains(t, locales, "bad@example.com")

		// JSON imports take the same field.
		var jsonReport api.ImportReport
		e.Post("/users/import?dry_run=true", org.OwnerToken, []map[string]any{{"email": "fr@example.com", "locale": "fr"}}).
			Expect(http.StatusOK).JSON(&jsonReport)
		require.Equal(t, 1, jsonReport.Create)
	})
}

// The German email: a de user of an organization in Berlin receives the
// invitation in German, naming the inviter, with the expiry as a German
// date in Berlin time.
func TestGermanInvitationEmail(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.Patch("/organization", org.OwnerToken, map[string]any{"name": "Demo Learning Co", "time_zone": "Europe/Berlin"}).Expect(http.StatusOK)
		admin, adminToken := e.Manager(org, people.Admin)
		e.StartWorkers()

		var u api.User
		createUser(e, adminToken, map[string]any{"email": "lena.schmidt@example.de", "first_name": "Lena", "locale": "de"}).
			Expect(http.StatusCreated).JSON(&u)
		msg := e.SendGrid.WaitForMessages(t, 1, time.Minute)[0]
		require.Len(t, msg.Personalizations, 1)
		p := msg.Personalizations[0]
		require.Equal(t, "lena.schmidt@example.de", p.Email)

		inviter := admin.FirstName + " " + admin.LastName
		require.Equal(t, inviter+" hat Sie zu Demo Learning Co eingeladen", p.Subject)
		berlin, err := time.LoadLocation("Europe/Berlin")
		require.NoError(t, err)
		expires := u.Invite.ExpiresAt.In(berlin)
		germanDate := fmt.Sprintf("%s, %d. %s %d um %s Uhr (Europe/Berlin)", germanWeekdays[expires.Weekday()], expires.Day(),
			germanMonths[expires.Month()-1], expires.Year(), expires.Format("15:04"))
		for _, body := range []string{p.Text, p.HTML} {
			require.Contains(t, body, "Hallo Lena,")
			require.Contains(t, body, inviter+" hat Sie eingeladen, ")
			require.Contains(t, body, "Dieser Link läuft in 7 Tagen ab, am "+germanDate+".")
			require.NotContains(t, body, "invited you")
		}
		require.Contains(t, p.HTML, `<html lang="de">`)
		require.Contains(t, p.HTML, "<strong>Demo Learning Co</strong>")
		require.Contains(t, p.HTML, ">Konto aktivieren</a>")

		// The activation page learns the languages to speak.
		var d api.InviteDetails
		verifyToken(e, e.InviteToken(u.Invite.ID)).Expect(http.StatusOK).JSON(&d)
		require.Equal(t, "de", d.Locale)
		require.Equal(t, "en", d.Organization.DefaultLocale)
	})
}

var (
	germanWeekdays = []string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	germanMonths   = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
)

// The email's language follows the chain pt-BR → pt → organization default
// → English; people of different languages invited together each get
// their own.
func TestInvitationEmailLanguageFallsBack(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.Patch("/organization", org.OwnerToken, map[string]any{"default_locale": "fr"}).Expect(http.StatusOK)
		want := map[string]string{ // locale → the start of the subject
			"pt-BR": "Olive Owner convidou você",
			"pt-PT": "Olive Owner vous invite", // no European Portuguese email: the organization's French
			"es-MX": "Olive Owner le ha invitado",
			"it":    "Olive Owner vous invite",
			"nl":    "Olive Owner heeft je uitgenodigd",
			"en-GB": "Olive Owner invited you",
		}
		ids := map[string]string{}
		for locale := range want {
			email := strings.ToLower(locale) + "@example.com"
			ids[email] = locale
			createUser(e, org.OwnerToken, map[string]any{"email": email, "locale": locale, "send_invite": false}).Expect(http.StatusCreated)
		}
		// A bulk resend sends them in one job: one email per language.
		accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}}))
		e.StartWorkers()
		msgs := e.SendGrid.WaitForMessages(t, len(want), time.Minute)
		got := map[string]sendgridtest.Personalization{}
		for _, m := range msgs {
			for _, p := range m.Personalizations {
				got[ids[p.Email]] = p
			}
		}
		for locale, subject := range want {
			require.Contains(t, got, locale)
			require.True(t, strings.HasPrefix(got[locale].Subject, subject), "%s: %q", locale, got[locale].Subject)
		}
		require.Contains(t, got["pt-BR"].HTML, `<html lang="pt-BR">`)
		require.Contains(t, got["it"].HTML, `<html lang="fr">`)
	})
}
