package api

import (
	"encoding/hex"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/people"
)

// The busiest responses (a page of users, a resend) append their JSON by
// hand: encoding/json spent a quarter of a listing's CPU walking these
// structs by reflection. The output is byte for byte what encoding/json
// writes with HTML escaping off; TestFastJSONMatchesEncodingJSON checks that
// with every field filled, so a field added to a view without being added
// here fails the test instead of going missing from the API.

// fastJSON is a response that appends its own JSON encoding.
type fastJSON interface {
	appendJSON(b []byte) []byte
}

var (
	_ fastJSON = userPage{}
	_ fastJSON = User{}
	_ fastJSON = Invite{}
	_ fastJSON = ResendResult{}
)

// jsonBuffers recycles response buffers: a page of 50 users is about 40 KB.
var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// userPage is the answer of GET /users, a UserList, written from the
// page's users with one view reused row by row instead of a view of each:
// the views of a page were a quarter of the bytes a listing allocated, and
// the collector's work grows with them.
type userPage struct {
	users   []people.User
	now     time.Time
	next    *string
	hasMore bool
}

func (p userPage) appendJSON(b []byte) []byte {
	b = append(b, `{"data":[`...)
	var (
		v   User
		inv Invite
		by  Inviter
	)
	for i := range p.users {
		if i > 0 {
			b = append(b, ',')
		}
		fillUserView(&v, &inv, &by, p.users[i], p.now)
		b = v.appendJSON(b)
	}
	b = append(b, `],"next_cursor":`...)
	b = appendStringPtr(b, p.next)
	b = append(b, `,"has_more":`...)
	b = strconv.AppendBool(b, p.hasMore)
	return append(b, '}')
}

func (u User) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendUUID(b, u.ID)
	b = append(b, `,"email":`...)
	b = appendString(b, u.Email)
	b = append(b, `,"first_name":`...)
	b = appendString(b, u.FirstName)
	b = append(b, `,"last_name":`...)
	b = appendString(b, u.LastName)
	b = append(b, `,"role":`...)
	b = appendString(b, u.Role)
	b = append(b, `,"permissions":`...)
	b = appendStrings(b, u.Permissions)
	b = append(b, `,"status":`...)
	b = appendString(b, u.Status)
	b = append(b, `,"locale":`...)
	b = appendString(b, u.Locale)
	b = append(b, `,"must_change_password":`...)
	b = strconv.AppendBool(b, u.MustChangePassword)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, u.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, u.UpdatedAt)
	b = append(b, `,"confirmed_at":`...)
	b = appendTimePtr(b, u.ConfirmedAt)
	b = append(b, `,"deactivated_at":`...)
	b = appendTimePtr(b, u.DeactivatedAt)
	if u.EmailSuggestion != "" {
		b = append(b, `,"email_suggestion":`...)
		b = appendString(b, u.EmailSuggestion)
	}
	b = append(b, `,"invited_by":`...)
	if u.InvitedBy == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"id":`...)
		b = appendUUID(b, u.InvitedBy.ID)
		b = append(b, `,"name":`...)
		b = appendString(b, u.InvitedBy.Name)
		b = append(b, '}')
	}
	b = append(b, `,"email_warnings":`...)
	b = appendStrings(b, u.EmailWarnings)
	if h := u.DomainHealth; h != nil {
		b = append(b, `,"domain_health":{"domain":`...)
		b = appendString(b, h.Domain)
		b = append(b, `,"verdict":`...)
		b = appendString(b, h.Verdict)
		b = append(b, `,"advice":`...)
		b = appendString(b, h.Advice)
		b = append(b, '}')
	}
	b = append(b, `,"invite":`...)
	if u.Invite == nil {
		b = append(b, "null"...)
	} else {
		b = u.Invite.appendJSON(b)
	}
	b = append(b, `,"reminders_sent":`...)
	b = strconv.AppendInt(b, int64(u.RemindersSent), 10)
	b = append(b, `,"next_reminder_at":`...)
	b = appendTimePtr(b, u.NextReminderAt)
	if u.RemindersStopped != "" {
		b = append(b, `,"reminders_stopped":`...)
		b = appendString(b, u.RemindersStopped)
	}
	return append(b, '}')
}

func (i Invite) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendUUID(b, i.ID)
	b = append(b, `,"sent_count":`...)
	b = strconv.AppendInt(b, int64(i.SentCount), 10)
	b = append(b, `,"created_by":`...)
	if i.CreatedBy == nil {
		b = append(b, "null"...)
	} else {
		b = appendUUID(b, *i.CreatedBy)
	}
	b = append(b, `,"created_at":`...)
	b = appendTime(b, i.CreatedAt)
	b = append(b, `,"last_sent_at":`...)
	b = appendTimePtr(b, i.LastSentAt)
	b = append(b, `,"expires_at":`...)
	b = appendTime(b, i.ExpiresAt)
	b = append(b, `,"state":`...)
	b = appendString(b, i.State)
	b = append(b, `,"revoked_at":`...)
	b = appendTimePtr(b, i.RevokedAt)
	if i.RevokeReason != "" {
		b = append(b, `,"revoke_reason":`...)
		b = appendString(b, i.RevokeReason)
	}
	b = append(b, `,"accepted_at":`...)
	b = appendTimePtr(b, i.AcceptedAt)
	b = append(b, `,"delivery":{"status":`...)
	b = appendString(b, i.Delivery.Status)
	if i.Delivery.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendString(b, i.Delivery.Reason)
	}
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, i.Delivery.UpdatedAt)
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(i.Delivery.Attempts), 10)
	return append(b, "}}"...)
}

func (r ResendResult) appendJSON(b []byte) []byte {
	b = append(b, `{"invite":`...)
	b = r.Invite.appendJSON(b)
	b = append(b, `,"warnings":`...)
	if r.Warnings == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, w := range r.Warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"code":`...)
			b = appendString(b, w.Code)
			b = append(b, `,"message":`...)
			b = appendString(b, w.Message)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendUUID writes id in its canonical form, 8-4-4-4-12 lower-case hex.
func appendUUID(b []byte, id uuid.UUID) []byte {
	b = append(b, '"')
	b = hex.AppendEncode(b, id[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[8:10])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[10:16])
	return append(b, '"')
}

// appendTime writes t as time.Time's MarshalJSON does. The views hold UTC
// times from the database, always within the years RFC 3339 can spell.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendTimePtr(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendString quotes s as encoding/json does without HTML escaping:
// quote, backslash and control characters escaped (the common ones by
// their short forms), invalid UTF-8 replaced by U+FFFD, and U+2028 and
// U+2029 escaped, since some JavaScript parsers take them for line ends.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] is pending, to be copied as is
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
