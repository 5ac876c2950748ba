package people

import (
	"fmt"
	"slices"
	"time"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/mail"
)

// ReminderPolicy is an organization's choice of automatic reminders to the
// people who have not accepted their invitation (docs/reminders.md).
//
// A series of reminders starts with every invitation a person sends (a
// create, a resend, a bulk resend, an import, a renewal): the reminders are
// due AfterDays days after it and BeforeExpiryHours before the current link
// expires, whichever comes first, at most MaxReminders of them, never in
// the quiet hours and never within MinReminderGap of the previous email.
type ReminderPolicy struct {
	Enabled bool
	// AfterDays are the days after the invitation that started the series
	// at which a reminder is due, ascending.
	AfterDays []int
	// BeforeExpiryHours puts a reminder this many hours before the current
	// link expires; 0 puts none there.
	BeforeExpiryHours int
	// MaxReminders caps the reminders of one series.
	MaxReminders int
	// Quiet is the daily window, in the organization's time zone, in which
	// no reminder is sent; nil has none.
	Quiet *QuietHours
	// SkipWhenUndeliverable stops the series of a person whose latest
	// invitation bounced, was blocked, dropped or reported as spam.
	SkipWhenUndeliverable bool

	// Revision counts the changes of the policy, and ChangedAt is when the
	// last one was made: the reschedule a change starts, and the sweep
	// meanwhile, count only the due times after it.
	Revision  int
	ChangedAt time.Time
	// Rescheduling is not stored with the policy: it says that the
	// invite-pending people are still being rescheduled by this revision.
	Rescheduling bool
}

// QuietHours is a daily window of local time, in minutes after midnight;
// End before Start spans midnight (20:00 to 08:00).
type QuietHours struct {
	Start, End int
}

// Reminder policy bounds and defaults.
const (
	MaxReminderAfterDays    = 30
	MaxReminderSteps        = 10
	MaxReminderBeforeExpiry = 168
	MaxRemindersCap         = 10
	DefaultMaxReminders     = 3
	// MinReminderGap is the least time between two emails of a series: two
	// due times that fall close together (a day's reminder right after the
	// one before the link expires) make one reminder, not two.
	MinReminderGap = 24 * time.Hour
	// ReuseLinkFor is how long the current link must still live for a
	// reminder to mail it again; a link closer to its end is replaced by a
	// fresh invitation (R3), so that the reminder never points at a link
	// about to stop working.
	ReuseLinkFor = 48 * time.Hour
)

// DefaultReminderPolicy is the policy of an organization that never set one: off.
func DefaultReminderPolicy() ReminderPolicy {
	return ReminderPolicy{AfterDays: []int{3, 7}, MaxReminders: DefaultMaxReminders,
		SkipWhenUndeliverable: true}
}

// Validate checks the policy, naming each bad field.
func (p ReminderPolicy) Validate() error {
	var errs []apperr.FieldError
	if len(p.AfterDays) > MaxReminderSteps {
		errs = append(errs, apperr.Field("after_days", "too_many", "after_days has at most %d entries", MaxReminderSteps))
	}
	for i, d := range p.AfterDays {
		if d < 1 || d > MaxReminderAfterDays {
			errs = append(errs, apperr.Field("after_days", "out_of_range", "after_days[%d] must be a number of days from 1 to %d, got %d", i, MaxReminderAfterDays, d))
			break
		}
		if i > 0 && d <= p.AfterDays[i-1] {
			errs = append(errs, apperr.Field("after_days", "not_ascending", "after_days must be strictly ascending, got %d after %d", d, p.AfterDays[i-1]))
			break
		}
	}
	if p.BeforeExpiryHours < 0 || p.BeforeExpiryHours > MaxReminderBeforeExpiry {
		errs = append(errs, apperr.Field("before_expiry_hours", "out_of_range", "before_expiry_hours must be from 1 to %d hours, or 0 or null for none", MaxReminderBeforeExpiry))
	}
	if p.MaxReminders < 1 || p.MaxReminders > MaxRemindersCap {
		errs = append(errs, apperr.Field("max_reminders", "out_of_range", "max_reminders must be from 1 to %d", MaxRemindersCap))
	}
	if q := p.Quiet; q != nil && q.Start == q.End {
		errs = append(errs, apperr.Field("quiet_hours", "invalid", "quiet_hours must end at another time than it starts"))
	}
	if p.Enabled && len(p.AfterDays) == 0 && p.BeforeExpiryHours == 0 {
		errs = append(errs, apperr.Field("after_days", "required", "an enabled policy needs after_days or before_expiry_hours"))
	}
	if len(errs) > 0 {
		return apperr.Invalid(errs...)
	}
	return nil
}

// ParseClock reads a local time of day, "HH:MM" in 24 hours, as minutes
// after midnight; field names it in the error.
func ParseClock(field, s string) (int, *apperr.FieldError) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		fe := apperr.Field(field, "invalid", "%s must be a time of day as HH:MM (00:00 to 23:59), got %q", field, s)
		return 0, &fe
	}
	return t.Hour()*60 + t.Minute(), nil
}

// FormatClock writes minutes after midnight as "HH:MM".
func FormatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// quiet reports whether t falls in the quiet hours in loc, and if so when
// they end.
func (q *QuietHours) quiet(t time.Time, loc *time.Location) (bool, time.Time) {
	if q == nil {
		return false, t
	}
	local := t.In(loc)
	m := local.Hour()*60 + local.Minute()
	in := q.Start < q.End && m >= q.Start && m < q.End || q.Start > q.End && (m >= q.Start || m < q.End)
	if !in {
		return false, t
	}
	end := time.Date(local.Year(), local.Month(), local.Day(), q.End/60, q.End%60, 0, 0, loc)
	if !end.After(t) {
		end = time.Date(local.Year(), local.Month(), local.Day()+1, q.End/60, q.End%60, 0, 0, loc)
	}
	return true, end.UTC()
}

// ReminderSchedule is a person's place in their reminder series.
type ReminderSchedule struct {
	// Sent counts the reminders of the current series.
	Sent int
	// AnchorAt is when the invitation that started the series was sent.
	AnchorAt *time.Time
	// LastAt is when the series' last reminder went.
	LastAt *time.Time
	// NextAt is when the next reminder is due; nil when none is.
	NextAt *time.Time
	// Stopped names the delivery status that stopped the series, if one did.
	Stopped DeliveryStatus
}

// lastEmail is when the series last mailed the person.
func (r ReminderSchedule) lastEmail() time.Time {
	switch {
	case r.LastAt != nil:
		return *r.LastAt
	case r.AnchorAt != nil:
		return *r.AnchorAt
	default:
		return time.Time{}
	}
}

// nextDue is when the next reminder of the series is due after now, given
// the expiry of the current link (zero without one); nil when the series
// is over. Due times already past are skipped, so that a sweep that comes
// late (a server down for a day) sends one reminder, not one per missed
// time.
func (p ReminderPolicy) nextDue(r ReminderSchedule, linkExpiry, now time.Time, loc *time.Location) *time.Time {
	if !p.Enabled || r.AnchorAt == nil || r.Sent >= p.MaxReminders || r.Stopped != "" {
		return nil
	}
	earliest := r.lastEmail().Add(MinReminderGap)
	var due time.Time
	consider := func(t time.Time) {
		if t.Before(earliest) {
			t = earliest
		}
		if t.After(now) && (due.IsZero() || t.Before(due)) {
			due = t
		}
	}
	for _, d := range p.AfterDays {
		if t := r.AnchorAt.Add(time.Duration(d) * 24 * time.Hour); t.After(r.lastEmail()) {
			consider(t)
		}
	}
	if p.BeforeExpiryHours > 0 && !linkExpiry.IsZero() {
		if t := linkExpiry.Add(-time.Duration(p.BeforeExpiryHours) * time.Hour); t.After(r.lastEmail()) {
			consider(t)
		}
	}
	if due.IsZero() {
		return nil
	}
	if in, end := p.Quiet.quiet(due, loc); in {
		due = end
	}
	return &due
}

// undeliverableStatuses are the delivery outcomes that stop a series when
// the policy skips undeliverable people.
var undeliverableStatuses = []DeliveryStatus{DeliveryBounced, DeliveryBlocked, DeliveryDropped, DeliverySpamReport}

// stopsReminders reports whether st stops reminders under p.
func (p ReminderPolicy) stopsReminders(st DeliveryStatus) bool {
	return p.SkipWhenUndeliverable && slices.Contains(undeliverableStatuses, st)
}

// location is the organization's time zone, UTC if it cannot be loaded.
func (o Organization) location() *time.Location {
	loc, err := mail.LoadZone(o.timeZone())
	if err != nil {
		return time.UTC
	}
	return loc
}
