package mail

import (
	"errors"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// oneLine turns a user-supplied name into a single clean line: control
// characters and runs of white space, line breaks included, become one
// space. Names end up in subjects and greetings where a stray newline would
// break the layout.
func oneLine(s string) string {
	cleaned := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(cleaned), " ")
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// checkLink rejects anything but an absolute http(s) URL. html/template would
// otherwise quietly replace a bad link with "#ZgotmplZ" and the recipient
// would get a dead button. The error never quotes the link: it holds the
// activation token.
func checkLink(link string) error {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("activation link is not an absolute http(s) URL")
	}
	return nil
}
