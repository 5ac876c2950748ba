package auth

import "strings"

// generatedLen characters from a 64-symbol alphabet carry 120 bits.
const generatedLen = 20

// passwordAlphabet has exactly 64 symbols, so a random byte masked to six
// bits picks one uniformly. It leaves out look-alikes (I, O, l, o, 0, 1) and
// symbols that shells, URLs or spreadsheets treat specially, because these
// passwords are read aloud, typed by hand and pasted into scripts.
const (
	upperSymbols     = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	lowerSymbols     = "abcdefghijkmnpqrstuvwxyz"
	digitSymbols     = "23456789"
	specialSymbols   = "!#%+-=?@"
	passwordAlphabet = upperSymbols + lowerSymbols + digitSymbols + specialSymbols
)

// GeneratePassword returns a random 20-character password with at least one
// upper-case letter, lower-case letter, digit and symbol, for an
// administrator to hand to someone whose invitation email does not arrive.
// It meets the policy for any account unless the account's name or email
// happens to appear in it; GeneratePasswordFor rules that out too.
func GeneratePassword() string {
	return GeneratePasswordFor(PolicyInputs{})
}

// GeneratePasswordFor is GeneratePassword checked against the account's own
// inputs, so the result always passes CheckPassword(p, in).
func GeneratePasswordFor(in PolicyInputs) string {
	for {
		// Drawing again, rather than patching a missing class in, keeps the
		// result uniform over all acceptable passwords.
		p := randomPassword()
		if hasEveryClass(p) && CheckPassword(p, in) == nil {
			return p
		}
	}
}

// randomPassword relies on passwordAlphabet having 64 symbols; a test
// guards that.
func randomPassword() string {
	raw := randomBytes(generatedLen)
	out := make([]byte, generatedLen)
	for i, b := range raw {
		out[i] = passwordAlphabet[b&63]
	}
	return string(out)
}

func hasEveryClass(p string) bool {
	return strings.ContainsAny(p, upperSymbols) &&
		strings.ContainsAny(p, lowerSymbols) &&
		strings.ContainsAny(p, digitSymbols) &&
		strings.ContainsAny(p, specialSymbols)
}
