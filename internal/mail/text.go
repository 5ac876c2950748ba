package mail

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// expiryLayout writes the expiry date in words. Recipients live in many time
// zones and the service does not know theirs, so the date is always in UTC
// and says so.
const expiryLayout = "Monday, 2 January 2006 at 15:04 UTC"

// defaultInviter names the inviter when the batch does not.
const defaultInviter = "your administrator"

// expiresOn is the expiry date in words, e.g. "Monday, 30 November 2026 at
// 14:05 UTC".
func expiresOn(t time.Time) string {
	return t.UTC().Format(expiryLayout)
}

// expiresIn is the time left in words, e.g. "in 7 days". Each unit is rounded
// to the nearest whole value because an invite sent a few seconds after it
// was created still has "7 days" to go, not "6 days".
func expiresIn(d time.Duration) string {
	const day = 24 * time.Hour
	if d <= 0 {
		return "now"
	}
	if m := d.Round(time.Minute); m < time.Hour {
		if m < time.Minute {
			return "in less than a minute"
		}
		return "in " + plural(int(m/time.Minute), "minute")
	}
	if h := d.Round(time.Hour); h < day {
		return "in " + plural(int(h/time.Hour), "hour")
	}
	return "in " + plural(int(d.Round(day)/day), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

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
