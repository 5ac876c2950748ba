package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// ReminderPolicy is the organization's policy of automatic reminders to
// the people who have not accepted their invitation (docs/reminders.md).
type ReminderPolicy struct {
	// Enabled turns the reminders on; off by default.
	Enabled bool `json:"enabled" example:"true"`
	// AfterDays are the days after the last invitation a person sent at which a reminder is due, strictly ascending, 1 to 30 each.
	AfterDays []int `json:"after_days" minimum:"1" maximum:"30" validate:"max=10"`
	// BeforeExpiryHours puts one more reminder this many hours before the current link expires; null for none.
	BeforeExpiryHours *int `json:"before_expiry_hours" minimum:"1" maximum:"168" extensions:"x-nullable" example:"24"`
	// MaxReminders caps the reminders after one invitation.
	MaxReminders int `json:"max_reminders" minimum:"1" maximum:"10" example:"3"`
	// QuietHours is the daily window, in the organization's time zone, in which no reminder is sent; null for none.
	QuietHours *QuietHours `json:"quiet_hours" extensions:"x-nullable"`
	// SkipWhenUndeliverable stops the reminders of a person whose latest invitation bounced, was blocked, dropped or reported as spam; the user view then shows reminders_stopped.
	SkipWhenUndeliverable bool `json:"skip_when_undeliverable" example:"true"`
	// Rescheduling is true while the invite-pending people are still being rescheduled by the latest change of the policy, in the background; meanwhile a person's next_reminder_at may still show the earlier policy's time, but every reminder is checked against the new policy before it goes.
	Rescheduling bool `json:"rescheduling" example:"false"`
}

// QuietHours is a daily window of local time; an end before the start spans midnight.
type QuietHours struct {
	Start string `json:"start" maxLength:"5" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" example:"20:00"`
	End   string `json:"end" maxLength:"5" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" example:"08:00"`
}

func reminderPolicyView(p people.ReminderPolicy) ReminderPolicy {
	v := ReminderPolicy{Enabled: p.Enabled, AfterDays: p.AfterDays, MaxReminders: p.MaxReminders,
		SkipWhenUndeliverable: p.SkipWhenUndeliverable, Rescheduling: p.Rescheduling}
	if v.AfterDays == nil {
		v.AfterDays = []int{}
	}
	if p.BeforeExpiryHours > 0 {
		v.BeforeExpiryHours = new(p.BeforeExpiryHours)
	}
	if p.Quiet != nil {
		v.QuietHours = &QuietHours{Start: people.FormatClock(p.Quiet.Start), End: people.FormatClock(p.Quiet.End)}
	}
	return v
}

// PutReminderPolicyRequest replaces the policy; an absent field takes its default.
type PutReminderPolicyRequest struct {
	// Enabled defaults to false.
	Enabled *bool `json:"enabled" example:"true" validate:"optional"`
	// AfterDays defaults to [3, 7]; [] for none.
	AfterDays []int `json:"after_days" minimum:"1" maximum:"30" validate:"optional,max=10"`
	// BeforeExpiryHours defaults to null (none); 0 is none too.
	BeforeExpiryHours *int `json:"before_expiry_hours" minimum:"0" maximum:"168" extensions:"x-nullable" example:"24" validate:"optional"`
	// MaxReminders defaults to 3.
	MaxReminders *int `json:"max_reminders" minimum:"1" maximum:"10" example:"3" validate:"optional"`
	// QuietHours defaults to null (none).
	QuietHours *QuietHours `json:"quiet_hours" extensions:"x-nullable" validate:"optional"`
	// SkipWhenUndeliverable defaults to true.
	SkipWhenUndeliverable *bool `json:"skip_when_undeliverable" example:"true" validate:"optional"`
	// Rescheduling is read-only and ignored, so that a policy read with GET can be sent back as it is.
	Rescheduling *bool `json:"rescheduling" validate:"optional"`
}

// policy turns the request into a policy, naming the bad times of day.
func (r PutReminderPolicyRequest) policy() (people.ReminderPolicy, error) {
	p := people.DefaultReminderPolicy()
	if r.Enabled != nil {
		p.Enabled = *r.Enabled
	}
	if r.AfterDays != nil { // [] is none; absent is the default
		p.AfterDays = r.AfterDays
	}
	if r.BeforeExpiryHours != nil {
		p.BeforeExpiryHours = *r.BeforeExpiryHours
	}
	if r.MaxReminders != nil {
		p.MaxReminders = *r.MaxReminders
	}
	if r.SkipWhenUndeliverable != nil {
		p.SkipWhenUndeliverable = *r.SkipWhenUndeliverable
	}
	if q := r.QuietHours; q != nil {
		start, fe1 := people.ParseClock("quiet_hours.start", q.Start)
		end, fe2 := people.ParseClock("quiet_hours.end", q.End)
		var errs []apperr.FieldError
		for _, fe := range []*apperr.FieldError{fe1, fe2} {
			if fe != nil {
				errs = append(errs, *fe)
			}
		}
		if len(errs) > 0 {
			// Name the policy's other bad fields too, in one answer.
			if err := p.Validate(); err != nil {
				errs = append(errs, apperr.As(err).Fields...)
			}
			return p, apperr.Invalid(errs...)
		}
		p.Quiet = &people.QuietHours{Start: start, End: end}
	}
	return p, nil
}

// getReminderPolicy godoc
//
//	@Summary		Get the reminder policy
//	@Description	The organization's automatic reminders to the people who have not accepted their invitation: whether they are on, when they are due (days after the last invitation a person sent, hours before the link expires), how many at most, the quiet hours in the organization's time zone, and whether an undeliverable invitation stops them; rescheduling says whether the latest change is still being applied to the invite-pending people. Owners and admins only. See docs/reminders.md.
//	@ID				getReminderPolicy
//	@Tags			Organization
//	@Security		BearerAuth
//	@Produce		json
//	@Success		200	{object}	ReminderPolicy	"The policy"
//	@Failure		401	{object}	Problem			"unauthorized"
//	@Failure		403	{object}	Problem			"forbidden: only owners and admins read the reminder policy"
//	@Router			/organization/reminders [get]
func (s *Server) getReminderPolicy(c echo.Context) error {
	p, err := s.svc.GetReminderPolicy(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, reminderPolicyView(p))
}

// putReminderPolicy godoc
//
//	@Summary		Set the reminder policy
//	@Description	Owners and admins replace the organization's reminder policy; an absent field takes its default. The answer comes at once, with rescheduling true: the invite-pending people are rescheduled by the new policy in the background, by a job queued in the same transaction as the change (seconds to a minute for 100,000 people; GET shows rescheduling false when it is done). Each keeps the reminders already sent after their last invitation, and due times before the change are skipped, so turning reminders on never mails everyone at once; a due time that passes while the reschedule runs is still sent. From the moment of the change, every reminder is checked against the new policy before it goes, so none goes by the old one. Turning reminders off ends every schedule. A reminder mails the current link again while it has at least 48 hours left, and otherwise sends a fresh invitation that replaces every earlier link; it is audited and sent as the webhook invite.reminded. Audited as organization.updated.
//	@ID				putReminderPolicy
//	@Tags			Organization
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		PutReminderPolicyRequest	true	"The policy"
//	@Success		200		{object}	ReminderPolicy				"The policy, as stored, with rescheduling true"
//	@Failure		400		{object}	Problem						"invalid_request: days out of range or not ascending, too many steps, hours or cap out of range, a bad time of day, an enabled policy with nothing due (errors lists each)"
//	@Failure		401		{object}	Problem						"unauthorized"
//	@Failure		403		{object}	Problem						"forbidden: only owners and admins change the reminder policy"
//	@Failure		413		{object}	Problem						"payload_too_large"
//	@Failure		415		{object}	Problem						"unsupported_media_type"
//	@Router			/organization/reminders [put]
func (s *Server) putReminderPolicy(c echo.Context) error {
	var req PutReminderPolicyRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := req.policy()
	if err != nil {
		return err
	}
	p, err = s.svc.UpdateReminderPolicy(c.Request().Context(), actorOf(c), p)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, reminderPolicyView(p))
}
