package mail

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	// The zone database travels in the binary: a container image without
	// /usr/share/zoneinfo still shows dates in every organization's zone.
	_ "time/tzdata"

	"github.com/BurntSushi/toml"
	"github.com/goodsign/monday"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

// DefaultLocale is the language of last resort, and the reference every
// translation is checked against.
const DefaultLocale = "en"

// The invitation email's texts, one message file per language: adding a
// language is adding its file (locales/<BCP 47 tag>.toml) with every key of
// en.toml. The layouts (templates/) hold no words of their own.
//
//go:embed locales/*.toml
var localeFS embed.FS

// catalog is every language's messages, loaded once at start-up: a broken
// or incomplete message file is a bug in the binary, so loading panics
// instead of sending an email that is half in English.
var catalog = mustLoadCatalog(localeFS)

// messages is the catalogue: the go-i18n bundle, and the keys of each language.
type messages struct {
	bundle   *i18n.Bundle
	locales  []string            // DefaultLocale first, then sorted
	keys     map[string][]string // locale → message ids
	plurals  map[string]bool     // ids of messages with plural forms
	language map[string]*i18n.Localizer
}

func mustLoadCatalog(fsys fs.FS) *messages {
	m, err := loadCatalog(fsys)
	if err != nil {
		panic(err)
	}
	return m
}

// loadCatalog reads every message file and checks that each language has
// exactly the keys of the default one, so that no text silently falls back
// to English.
func loadCatalog(fsys fs.FS) (*messages, error) {
	bundle := i18n.NewBundle(language.MustParse(DefaultLocale))
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	m := &messages{bundle: bundle, keys: map[string][]string{}, plurals: map[string]bool{}, language: map[string]*i18n.Localizer{}}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		mf, err := bundle.ParseMessageFileBytes(b, path.Base(f))
		if err != nil {
			return nil, fmt.Errorf("mail: message file %s: %w", f, err)
		}
		tag := mf.Tag.String()
		if want := strings.TrimSuffix(path.Base(f), ".toml"); tag != want {
			return nil, fmt.Errorf("mail: message file %s: name it %s.toml, the canonical form of its tag", f, tag)
		}
		for _, msg := range mf.Messages {
			m.keys[tag] = append(m.keys[tag], msg.ID)
			if msg.One != "" {
				m.plurals[msg.ID] = true
			}
		}
		slices.Sort(m.keys[tag])
		m.locales = append(m.locales, tag)
		m.language[tag] = i18n.NewLocalizer(bundle, tag)
	}
	ref, ok := m.keys[DefaultLocale]
	if !ok {
		return nil, fmt.Errorf("mail: no message file for the default locale %s", DefaultLocale)
	}
	for _, tag := range m.locales {
		if missing, extra := difference(ref, m.keys[tag]), difference(m.keys[tag], ref); len(missing)+len(extra) > 0 {
			return nil, fmt.Errorf("mail: locale %s: missing keys %v, unknown keys %v", tag, missing, extra)
		}
	}
	slices.SortFunc(m.locales, func(a, b string) int {
		switch {
		case a == DefaultLocale:
			return -1
		case b == DefaultLocale:
			return 1
		}
		return strings.Compare(a, b)
	})
	return m, nil
}

// difference lists the elements of a that are not in b.
func difference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Locales lists the languages that have invitation emails: the default
// first, then in alphabetical order, as canonical BCP 47 tags.
func Locales() []string { return slices.Clone(catalog.locales) }

// ResolveLocale picks the language of a user's email: the first of the
// user's locale, its parents (pt-BR, then pt), the organization's default
// and its parents, and finally DefaultLocale, that has an email. Tags that
// do not parse are passed over.
func ResolveLocale(userLocale, orgDefault string) string {
	for _, raw := range []string{userLocale, orgDefault} {
		tag, err := language.Parse(raw)
		if err != nil {
			continue
		}
		for ; tag != language.Und; tag = tag.Parent() {
			if _, ok := catalog.language[tag.String()]; ok {
				return tag.String()
			}
		}
	}
	return DefaultLocale
}

// localizer speaks one language of the catalogue.
type localizer struct {
	locale string
	l      *i18n.Localizer
}

func localizerFor(locale string) localizer {
	l, ok := catalog.language[locale]
	if !ok {
		locale = DefaultLocale
		l = catalog.language[locale]
	}
	return localizer{locale: locale, l: l}
}

// textParser executes messages as plain text; a message that names a
// value the caller does not give fails instead of printing "<no value>".
var textParser = &i18ntemplate.TextParser{Option: "missingkey=error"}

// text is the message id filled with data, as plain text.
func (lz localizer) text(id string, data map[string]any) (string, error) {
	return lz.localize(id, data, nil, textParser)
}

// html is the message id filled with data, escaped for the text of an HTML
// element: the message itself is trusted (the catalogue test keeps markup
// out of it), every value is escaped by html/template except those of type
// htmltemplate.HTML.
func (lz localizer) html(id string, data map[string]any) (htmltemplate.HTML, error) {
	s, err := lz.localize(id, data, nil, htmlParser{})
	return htmltemplate.HTML(s), err //nolint:gosec // escaped by html/template, see htmlParser
}

// plural is the plural message id for n, as plain text.
func (lz localizer) plural(id string, n int) (string, error) {
	return lz.localize(id, map[string]any{"Count": n}, n, textParser)
}

func (lz localizer) localize(id string, data map[string]any, count any, parser i18ntemplate.Parser) (string, error) {
	if data == nil {
		data = map[string]any{}
	}
	s, tag, err := lz.l.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count, TemplateParser: parser})
	if err == nil && tag.String() != lz.locale {
		err = fmt.Errorf("message %q is missing in %s", id, lz.locale)
	}
	if err != nil {
		return "", fmt.Errorf("mail: %s message %q: %w", lz.locale, id, err)
	}
	return s, nil
}

// htmlParser parses messages as html/template templates. It is not
// cacheable: go-i18n keeps one parsed template per message whatever the
// parser, and the text parser's is the one worth keeping.
type htmlParser struct{}

func (htmlParser) Cacheable() bool { return false }

func (htmlParser) Parse(src, left, right string) (i18ntemplate.ParsedTemplate, error) {
	t, err := htmltemplate.New("message").Delims(left, right).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, err
	}
	return htmlMessage{t}, nil
}

type htmlMessage struct{ t *htmltemplate.Template }

func (m htmlMessage) Execute(data any) (string, error) { return execute(m.t, data) }

// expiresOn is when the link expires, in words of the language and in the
// organization's time zone, e.g. "Montag, 30. November 2026 um 15:05 Uhr
// (Europe/Berlin)".
func (lz localizer) expiresOn(t time.Time, zone *time.Location) (string, error) {
	dateLayout, err := lz.text("date_layout", nil)
	if err != nil {
		return "", err
	}
	timeLayout, err := lz.text("time_layout", nil)
	if err != nil {
		return "", err
	}
	t = t.In(zone)
	return lz.text("expires_on", map[string]any{
		"Date":     monday.Format(t, dateLayout, dateLocale(lz.locale)),
		"Time":     t.Format(timeLayout),
		"TimeZone": zoneName(zone),
	})
}

// dateLocale is the monday locale that names days and months in locale:
// the language with its most likely region (de → de_DE, pt-BR → pt_BR),
// or English names when monday does not know the pair.
func dateLocale(locale string) monday.Locale {
	tag := language.Make(locale)
	base, _ := tag.Base()
	region, _ := tag.Region()
	l := monday.Locale(base.String() + "_" + region.String())
	if slices.Contains(monday.ListLocales(), l) {
		return l
	}
	return monday.LocaleEnGB
}

// zoneName is how an email names a time zone: its IANA name, readable
// ("America/Sao Paulo"). Abbreviations such as CET are English, ambiguous
// and, for many zones, only an offset.
func zoneName(z *time.Location) string { return strings.ReplaceAll(z.String(), "_", " ") }

// expiresIn is the time left in words, e.g. "in 7 days". Each unit is
// rounded to the nearest whole value because an invite sent a few seconds
// after it was created still has "7 days" to go, not "6 days".
func (lz localizer) expiresIn(d time.Duration) (string, error) {
	return lz.expiresInWords(expiresInMessage(d))
}

// expiresInMessage is the message that words the time left d, and the
// count it shows (0 for the messages without one).
func expiresInMessage(d time.Duration) (id string, n int) {
	const day = 24 * time.Hour
	if d <= 0 {
		return "expires_now", 0
	}
	if m := d.Round(time.Minute); m < time.Hour {
		if m < time.Minute {
			return "expires_in_under_a_minute", 0
		}
		return "expires_in_minutes", int(m / time.Minute)
	}
	if h := d.Round(time.Hour); h < day {
		return "expires_in_hours", int(h / time.Hour)
	}
	return "expires_in_days", int(d.Round(day) / day)
}

// expiresInWords words expiresInMessage's answer.
func (lz localizer) expiresInWords(id string, n int) (string, error) {
	switch id {
	case "expires_now", "expires_in_under_a_minute":
		return lz.text(id, nil)
	}
	return lz.plural(id, n)
}

// zones caches loaded time zones: time.LoadLocation reads and parses the
// zone database on every call.
var zones sync.Map // string → *time.Location

// errUnknownZone marks a time zone the zone database does not know.
var errUnknownZone = errors.New("unknown time zone")

// LoadZone returns the IANA time zone name, loaded once per process; ""
// is UTC.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	if name == "Local" {
		return nil, fmt.Errorf("%w %q", errUnknownZone, name)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w %q", errUnknownZone, name)
	}
	zones.Store(name, z)
	return z, nil
}

// ValidTimeZone reports whether name is an IANA time zone an email can use.
func ValidTimeZone(name string) bool {
	_, err := LoadZone(name)
	return name != "" && err == nil
}
