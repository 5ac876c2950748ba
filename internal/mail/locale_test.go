package mail

import (
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/goodsign/monday"
	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
	"github.com/stretchr/testify/require"
)

// The languages the product promises; more come by adding message files.
var promisedLocales = []string{"en", "de", "es", "fr", "nl", "pt-BR"}

func TestEveryPromisedLanguageHasAnEmail(t *testing.T) {
	t.Parallel()
	for _, l := range promisedLocales {
		require.Contains(t, Locales(), l)
	}
	require.Equal(t, DefaultLocale, Locales()[0])
}

// Every template renders in every language, for every shape of batch; the
// translated emails keep no English sentence, no missing value and no
// markup of their own.
func TestEveryLanguageRendersEveryTemplateWithoutEnglish(t *testing.T) {
	t.Parallel()
	english := englishFragments(t)
	for _, locale := range Locales() {
		t.Run(locale, func(t *testing.T) {
			t.Parallel()
			named, anonymous := testBatch(testRecipient(0)), testBatch(testRecipient(1))
			anonymous.InviterName, anonymous.Recipients[0].FirstName = "", ""
			for _, b := range []Batch{named, anonymous} {
				b.Locale, b.TimeZone = locale, "Europe/Berlin"
				for _, left := range []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, 5 * time.Hour, time.Hour, 20 * time.Minute, time.Minute, 10 * time.Second} {
					r := b.Recipients[0]
					r.ExpiresAt = renderNow.Add(left)
					subject, text, html, err := Render(b, r, renderNow)
					require.NoError(t, err)
					for name, part := range map[string]string{"subject": subject, "text": text, "html": html} {
						require.NotContains(t, part, "<no value>", "%s: a value the message names is missing", name)
						require.NotContains(t, part, "{{", "%s: a placeholder was left unfilled", name)
						if locale == DefaultLocale {
							continue
						}
						for _, fragment := range english {
							require.NotContains(t, part, fragment, "%s %s: English text left in the translation", locale, name)
						}
					}
					require.Contains(t, html, `<html lang="`+locale+`">`)
					require.Contains(t, text, r.Link)
					require.Contains(t, html, "Northwind Academy")
					if b.InviterName != "" {
						require.Contains(t, subject, "Grace Hopper", "the subject names the inviter")
						require.Contains(t, text, "Grace Hopper", "the email names the inviter")
					}
				}
			}
		})
	}
}

// englishFragments are the clauses of three words or more of the English
// email, with the placeholders cut out: none may appear in another
// language's email.
func englishFragments(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, id := range catalog.keys[DefaultLocale] {
		if id == "date_layout" || id == "time_layout" {
			continue // Go layouts, in English by design
		}
		forms := []string{}
		if catalog.plurals[id] {
			for _, n := range []int{1, 7} {
				s, err := localizerFor(DefaultLocale).plural(id, n)
				require.NoError(t, err)
				forms = append(forms, s)
			}
		} else {
			forms = append(forms, rawMessage(t, DefaultLocale, id))
		}
		for _, f := range forms {
			// Clauses, so that half a sentence left in English is found too.
			for _, clause := range clauseSeparators.Split(f, -1) {
				if clause = strings.TrimSpace(clause); len(strings.Fields(clause)) >= 3 {
					out = append(out, clause)
				}
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

var clauseSeparators = regexp.MustCompile(`\{\{[^}]*\}\}|[.,:;?!()]`)

// rawMessage is the message as written in its file, placeholders and all.
func rawMessage(t *testing.T, locale, id string) string {
	t.Helper()
	s, err := localizerFor(locale).localize(id, nil, nil, i18ntemplate.IdentityParser{})
	require.NoError(t, err)
	return s
}

// Messages are plain text: the HTML email treats them as trusted markup
// and escapes only the values put into them, so a "<" or "&" of their own
// would reach the email unescaped. Each translated message also differs
// from the English one, except Go layouts that read the same.
func TestMessagesArePlainTextAndTranslated(t *testing.T) {
	t.Parallel()
	for _, locale := range Locales() {
		for _, id := range catalog.keys[locale] {
			for _, src := range pluralSources(t, locale, id) {
				require.NotRegexp(t, `[<>&]`, src, "%s %s", locale, id)
				if locale != DefaultLocale && id != "time_layout" && id != "date_layout" && id != "expires_on" {
					for _, en := range pluralSources(t, DefaultLocale, id) {
						require.NotEqual(t, en, src, "%s %s is the English text", locale, id)
					}
				}
			}
		}
	}
}

func pluralSources(t *testing.T, locale, id string) []string {
	t.Helper()
	if !catalog.plurals[id] {
		return []string{rawMessage(t, locale, id)}
	}
	var out []string
	for _, n := range []int{1, 7} {
		s, err := localizerFor(locale).localize(id, nil, n, i18ntemplate.IdentityParser{})
		require.NoError(t, err)
		out = append(out, s)
	}
	return out
}

// A message file that lacks a key, or has one the reference does not, is
// refused when the catalogue loads: no email is ever half in English.
func TestIncompleteMessageFilesAreRefused(t *testing.T) {
	t.Parallel()
	en, err := localeFS.ReadFile("locales/en.toml")
	require.NoError(t, err)
	de, err := localeFS.ReadFile("locales/de.toml")
	require.NoError(t, err)

	_, err = loadCatalog(fstest.MapFS{"locales/en.toml": {Data: en}, "locales/de.toml": {Data: de}})
	require.NoError(t, err, "the real files load")

	missing := regexp.MustCompile(`(?m)^button = .*\n`).ReplaceAll(de, nil)
	_, err = loadCatalog(fstest.MapFS{"locales/en.toml": {Data: en}, "locales/de.toml": {Data: missing}})
	require.ErrorContains(t, err, "missing keys [button]")

	extra := append([]byte("farewell = \"Tschüss\"\n"), de...)
	_, err = loadCatalog(fstest.MapFS{"locales/en.toml": {Data: en}, "locales/de.toml": {Data: extra}})
	require.ErrorContains(t, err, "unknown keys [farewell]")

	_, err = loadCatalog(fstest.MapFS{"locales/en.toml": {Data: en}, "locales/pt-br.toml": {Data: de}})
	require.ErrorContains(t, err, "pt-BR.toml", "files are named by the canonical tag")
}

func TestResolveLocaleFollowsTheFallbackChain(t *testing.T) {
	t.Parallel()
	tests := []struct{ user, org, want string }{
		{"de", "en", "de"},
		{"pt-BR", "en", "pt-BR"},
		{"pt-PT", "fr", "fr"}, // pt-PT → pt → the organization's default
		{"de-AT", "en", "de"}, // a region falls back to its language
		{"fr-CA", "de", "fr"},
		{"it", "nl", "nl"},    // no Italian email: the organization's default
		{"it", "it-CH", "en"}, // … and when the default has none either, English
		{"en-GB", "de", "en"},
		{"", "es", "es"},
		{"not a tag", "pt-BR", "pt-BR"},
		{"", "", "en"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, ResolveLocale(tt.user, tt.org), "user %q, organization %q", tt.user, tt.org)
	}
}

// Dates use the language's names of days and months.
func TestEveryLanguageNamesItsDaysAndMonths(t *testing.T) {
	t.Parallel()
	for _, locale := range Locales() {
		l := dateLocale(locale)
		require.Contains(t, monday.ListLocales(), l, locale)
		if locale != DefaultLocale {
			require.NotEqual(t, "en", strings.Split(string(l), "_")[0], "%s dates would be in English", locale)
		}
	}
	de, err := localizerFor("de").expiresOn(time.Date(2026, time.December, 1, 22, 30, 0, 0, time.UTC), mustZone(t, "Europe/Berlin"))
	require.NoError(t, err)
	require.Equal(t, "Dienstag, 1. Dezember 2026 um 23:30 Uhr (Europe/Berlin)", de)
	fr, err := localizerFor("fr").expiresOn(time.Date(2026, time.March, 2, 8, 5, 0, 0, time.UTC), mustZone(t, "Europe/Paris"))
	require.NoError(t, err)
	require.Equal(t, "lundi 2 mars 2026 à 09 h 05 (Europe/Paris)", fr)
	pt, err := localizerFor("pt-BR").expiresOn(time.Date(2026, time.March, 2, 15, 5, 0, 0, time.UTC), mustZone(t, "America/Sao_Paulo"))
	require.NoError(t, err)
	require.Equal(t, "segunda-feira, 2 de março de 2026, às 12:05 (America/Sao Paulo)", pt)
}

func TestValidTimeZone(t *testing.T) {
	t.Parallel()
	for _, z := range []string{"UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham"} {
		require.True(t, ValidTimeZone(z), z)
	}
	for _, z := range []string{"", "Local", "Mars/Olympus_Mons", "europe/berlin ", "../../etc/passwd"} {
		require.False(t, ValidTimeZone(z), z)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := LoadZone(name)
	require.NoError(t, err)
	return z
}
