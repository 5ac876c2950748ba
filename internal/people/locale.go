package people

import (
	"golang.org/x/text/language"

	"github.com/invitedhq/invited/internal/apperr"
)

// MaxLocaleLength bounds a locale tag, in characters; the contract publishes it.
const MaxLocaleLength = 35

// normalizeLocale reads a user's language: a BCP 47 tag of a language with
// an optional script and region ("de", "pt-BR", "zh-Hant-TW"), returned in
// canonical form ("pt-br" becomes "pt-BR"). Any language is accepted, not
// only those with an email: a user's email falls back along the chain of
// mail.ResolveLocale, and the activation page may know more languages.
func normalizeLocale(field, raw string) (string, *apperr.FieldError) {
	invalid := func() (string, *apperr.FieldError) {
		fe := apperr.Field(field, "invalid", "%s must be a BCP 47 language tag such as en, de or pt-BR, got %q", field, raw)
		return "", &fe
	}
	if raw == "" || len(raw) > MaxLocaleLength {
		return invalid()
	}
	tag, err := language.Parse(raw)
	if err != nil {
		return invalid()
	}
	base, conf := tag.Base()
	if conf != language.Exact || base.String() == "und" {
		return invalid()
	}
	// Keep what the client wrote, canonicalized, and drop extensions and
	// variants, which no email or page uses.
	parts := []any{base}
	if script, c := tag.Script(); c == language.Exact {
		parts = append(parts, script)
	}
	if region, c := tag.Region(); c == language.Exact {
		parts = append(parts, region)
	}
	canonical, err := language.Compose(parts...)
	if err != nil {
		return invalid()
	}
	return canonical.String(), nil
}
