package people

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/invitedhq/invited/internal/apperr"
)

// MaxEmailLength bounds an email address, in characters (RFC 5321's limit
// on a path, less its angle brackets).
const MaxEmailLength = 254

// NormalizeEmail trims and lower-cases an address and checks its syntax
// (rule R10). field names the request field in the error.
//
// An internationalised domain is stored in one canonical form, its ASCII
// (punycode) spelling, so u@bücher.example and u@xn--bcher-kva.example are
// the same address and one finds the other; the local part stays as typed.
func NormalizeEmail(field, raw string) (string, *apperr.FieldError) {
	email := strings.ToLower(strings.TrimSpace(raw))
	bad := func(msg string) (string, *apperr.FieldError) {
		fe := apperr.Field(field, "invalid_email", "%s", msg)
		return "", &fe
	}
	if email == "" {
		return bad(field + " is required")
	}
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		domain, err := idna.Lookup.ToASCII(email[at+1:])
		if err != nil {
			return bad(field + " has a domain that is not a valid internationalised domain name")
		}
		email = email[:at+1] + domain
	}
	if len(email) > MaxEmailLength {
		return bad(fmt.Sprintf("%s must be at most %d characters", field, MaxEmailLength))
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return bad(field + " is not a valid email address")
	}
	local, domain, _ := strings.Cut(email, "@")
	if len(local) > 64 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") || strings.HasPrefix(domain, "[") {
		return bad(field + " is not a valid email address")
	}
	return email, nil
}

// commonDomains are mail domains whose misspellings are worth pointing out.
var commonDomains = []string{
	"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com",
	"hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "outlook.com", "live.com", "msn.com",
	"icloud.com", "me.com", "mac.com", "aol.com", "protonmail.com", "proton.me", "gmx.com", "gmx.de",
	"gmx.net", "web.de", "mail.com", "yandex.ru", "comcast.net", "btinternet.com", "orange.fr",
	"free.fr", "laposte.net", "t-online.de", "sky.com", "virginmedia.com", "zoho.com", "fastmail.com",
}

// SuggestEmail returns the address with its domain corrected when the domain
// looks like a typo of a common mail domain (gmial.com → gmail.com), or "".
func SuggestEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return ""
	}
	best, bestDist := "", 3
	for _, d := range commonDomains {
		if d == domain {
			return ""
		}
		limit := 2
		if len(d) < 8 {
			limit = 1 // short domains are one keystroke from many real ones
		}
		if dist := editDistance(domain, d); dist <= limit && dist < bestDist {
			best, bestDist = d, dist
		}
	}
	if best == "" {
		return ""
	}
	return local + "@" + best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of adjacent letters each cost one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// MaxNameLength bounds first and last names, in characters.
const MaxNameLength = 100

// normalizeName trims a name and checks its length and characters.
func normalizeName(field, raw string) (string, *apperr.FieldError) {
	name := strings.TrimSpace(raw)
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		fe := apperr.Field(field, "too_long", "%s must be at most %d characters, got %d", field, MaxNameLength, n)
		return "", &fe
	}
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		fe := apperr.Field(field, "invalid", "%s must not contain control characters", field)
		return "", &fe
	}
	return name, nil
}
