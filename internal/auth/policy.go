package auth

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// Password length bounds, counted in characters (runes), not bytes.
const (
	// MinPasswordLength is the shortest password accepted.
	MinPasswordLength = 12
	// MaxPasswordLength is the longest password accepted. It also bounds the
	// cost of the strength estimate, which grows steeply with length.
	MaxPasswordLength = 128
)

// Violation codes reported by CheckPassword. API clients match on them to
// show their own messages, so they never change.
const (
	// ViolationTooShort: fewer than MinPasswordLength characters.
	ViolationTooShort = "too_short"
	// ViolationTooLong: more than MaxPasswordLength characters.
	ViolationTooLong = "too_long"
	// ViolationContainsEmail: contains the email address or its local part.
	ViolationContainsEmail = "contains_email"
	// ViolationContainsName: contains the first or last name.
	ViolationContainsName = "contains_name"
	// ViolationTooGuessable: the zxcvbn score is below 3.
	ViolationTooGuessable = "too_guessable"
)

// minPersonalLen is the shortest name or email local part checked: shorter
// ones ("Al", "jo@…") would forbid too many good passwords by accident.
const minPersonalLen = 3

// minStrengthScore is the lowest zxcvbn score accepted (0–4): 3 means
// "safely unguessable" against an online attack plus slow offline hashing.
const minStrengthScore = 3

// PolicyInputs are facts about the account that a password must not be
// built from.
type PolicyInputs struct {
	// Email is the account's email address.
	Email string
	// FirstName is the person's first name.
	FirstName string
	// LastName is the person's last name.
	LastName string
	// OrganizationName is the name of the person's organization; it only
	// feeds the guessability estimate.
	OrganizationName string
}

// Violation is one password rule that failed. Message is a short English
// sentence for people; it never repeats the password.
type Violation struct {
	// Code is one of the Violation* constants.
	Code string
	// Message explains the rule in one sentence.
	Message string
}

// CheckPassword returns every rule that password breaks, in a stable order:
// too_short or too_long, contains_email, contains_name, too_guessable. It
// returns nil when the password is acceptable.
func CheckPassword(password string, in PolicyInputs) []Violation {
	var violations []Violation
	length := utf8.RuneCountInString(password)
	switch {
	case length < MinPasswordLength:
		violations = append(violations, Violation{
			Code:    ViolationTooShort,
			Message: fmt.Sprintf("Use at least %d characters.", MinPasswordLength),
		})
	case length > MaxPasswordLength:
		violations = append(violations, Violation{
			Code:    ViolationTooLong,
			Message: fmt.Sprintf("Use at most %d characters.", MaxPasswordLength),
		})
	}

	lower := strings.ToLower(password)
	email := normalizePersonal(in.Email)
	local, _, _ := strings.Cut(email, "@")
	if containsPersonal(lower, email) || containsPersonal(lower, local) {
		violations = append(violations, Violation{
			Code:    ViolationContainsEmail,
			Message: "Do not use your email address in your password.",
		})
	}
	if containsPersonal(lower, normalizePersonal(in.FirstName)) ||
		containsPersonal(lower, normalizePersonal(in.LastName)) {
		violations = append(violations, Violation{
			Code:    ViolationContainsName,
			Message: "Do not use your name in your password.",
		})
	}

	// The estimate takes seconds on a few thousand characters, and anything
	// that long is refused already; short ones are cheap and still worth
	// reporting so people fix everything at once.
	if length <= MaxPasswordLength {
		if zxcvbn.PasswordStrength(password, strengthInputs(email, local, in)).Score < minStrengthScore {
			violations = append(violations, Violation{
				Code:    ViolationTooGuessable,
				Message: "This password is too easy to guess. Add more unrelated words or characters.",
			})
		}
	}
	return violations
}

func normalizePersonal(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// containsPersonal reports whether the lower-cased password contains the
// normalized personal value, ignoring values too short to be telling.
func containsPersonal(lowerPassword, value string) bool {
	return utf8.RuneCountInString(value) >= minPersonalLen && strings.Contains(lowerPassword, value)
}

// strengthInputs lists what zxcvbn should treat as known to an attacker.
// zxcvbn matches whole entries, so each value's words are added as well:
// "Acme Learning" alone would not catch "acme2024".
func strengthInputs(email, local string, in PolicyInputs) []string {
	values := []string{email, local, in.FirstName, in.LastName, in.OrganizationName}
	var inputs []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		inputs = append(inputs, v)
		words := strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len(words) > 1 {
			inputs = append(inputs, words...)
		}
	}
	return inputs
}
