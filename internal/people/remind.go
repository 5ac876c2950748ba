package people

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
)

// ReminderStore keeps reminder policies and each person's reminder series.
type ReminderStore interface {
	// UpdateReminderPolicy writes the organization's reminder policy and updated_at.
	UpdateReminderPolicy(ctx context.Context, orgID uuid.UUID, p ReminderPolicy, at time.Time) error
	// SetReminderSchedules writes the users' places in their reminder
	// series, a few statements for many users.
	SetReminderSchedules(ctx context.Context, schedules []UserSchedule) error
	// ClearReminders ends every reminder series of the organization.
	ClearReminders(ctx context.Context, orgID uuid.UUID) error
	// PendingUsersAfter locks and returns up to limit invite-pending users
	// of the organization whose id follows after, in id order, each with
	// their latest invite.
	PendingUsersAfter(ctx context.Context, orgID, after uuid.UUID, limit int) ([]User, error)
	// ClaimDueReminders locks and returns up to limit users of any
	// organization whose next reminder is due at now, soonest first, each
	// with their latest invite. Rows another transaction holds are
	// skipped, so that sweeps on two replicas share the due reminders
	// instead of sending them twice.
	ClaimDueReminders(ctx context.Context, now time.Time, limit int) ([]User, error)
	// RemailInvite makes a live invite's email due again: it shows queued,
	// forgets the provider's answer about the earlier message, and ignores
	// the provider's later events about that message.
	RemailInvite(ctx context.Context, inviteID uuid.UUID, at time.Time) error
	// CountReminders adds one reminder to each user's lifetime count (the funnel's).
	CountReminders(ctx context.Context, userIDs []uuid.UUID) error
}

// UserSchedule is one user's reminder series, to write.
type UserSchedule struct {
	UserID   uuid.UUID
	Schedule ReminderSchedule
}

// reminderBatch is how many due reminders one transaction of the sweep
// handles: their emails go in few provider calls (the dispatcher gathers
// them), and a batch holds its rows' locks for well under a second.
const reminderBatch = 200

// GetReminderPolicy returns the organization's reminder policy: owners and admins only.
func (s *Service) GetReminderPolicy(ctx context.Context, actor Actor) (ReminderPolicy, error) {
	if err := requireSettingsRole(actor); err != nil {
		return ReminderPolicy{}, err
	}
	org, err := s.store.OrganizationByID(ctx, actor.OrganizationID)
	return org.Reminders, err
}

// requireSettingsRole lets only owners and admins at the organization's settings.
func requireSettingsRole(actor Actor) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	if actor.Role != Owner && actor.Role != Admin {
		return apperr.New(apperr.Forbidden, "Only owners and admins may read and change the reminder policy.")
	}
	return nil
}

// UpdateReminderPolicy replaces the organization's reminder policy and
// reschedules its invite-pending people by it: a series keeps its count and
// its start (the last invitation a person sent, for people invited before
// the policy existed), and due times already past are skipped, so turning
// reminders on never mails everybody at once. Turning them off ends every
// series. Audited as organization.updated.
func (s *Service) UpdateReminderPolicy(ctx context.Context, actor Actor, p ReminderPolicy) (ReminderPolicy, error) {
	if err := requireSettingsRole(actor); err != nil {
		return ReminderPolicy{}, err
	}
	if err := p.Validate(); err != nil {
		return ReminderPolicy{}, err
	}
	var org Organization
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if org, err = s.store.LockOrganization(ctx, actor.OrganizationID); err != nil {
			return err
		}
		if err := s.store.UpdateReminderPolicy(ctx, org.ID, p, s.now()); err != nil {
			return err
		}
		if !p.Enabled {
			if err := s.store.ClearReminders(ctx, org.ID); err != nil {
				return err
			}
		}
		return s.audit(ctx, org.ID, &actor.ID, nil, ActionOrganizationUpdated, map[string]any{
			"fields": []string{"reminders"}, "from": map[string]any{"reminders": policyMeta(org.Reminders)},
			"to": map[string]any{"reminders": policyMeta(p)}})
	})
	if err != nil {
		return ReminderPolicy{}, err
	}
	org.Reminders = p
	if p.Enabled {
		// Page by page, each in its own transaction: an organization of
		// 100,000 people holds no lock for long. A page that fails leaves
		// the rest on their earlier schedule, which the sweep checks
		// against the policy anyway when it reaches them.
		if err := s.reschedule(ctx, org); err != nil {
			return ReminderPolicy{}, err
		}
	}
	return p, nil
}

func policyMeta(p ReminderPolicy) map[string]any {
	m := map[string]any{"enabled": p.Enabled, "after_days": p.AfterDays, "before_expiry_hours": p.BeforeExpiryHours,
		"max_reminders": p.MaxReminders, "skip_when_undeliverable": p.SkipWhenUndeliverable}
	if p.Quiet != nil {
		m["quiet_hours"] = map[string]string{"start": FormatClock(p.Quiet.Start), "end": FormatClock(p.Quiet.End)}
	}
	return m
}

// reschedulePage is how many people one transaction of a reschedule handles.
const reschedulePage = 1000

func (s *Service) reschedule(ctx context.Context, org Organization) error {
	after := uuid.Nil
	for {
		var n int
		err := s.store.InTx(ctx, func(ctx context.Context) error {
			users, err := s.store.PendingUsersAfter(ctx, org.ID, after, reschedulePage)
			if err != nil || len(users) == 0 {
				return err
			}
			n, after = len(users), users[len(users)-1].ID
			now := s.now()
			var changed []UserSchedule
			for _, u := range users {
				r := u.Reminders
				if r.AnchorAt == nil && r.Stopped == "" {
					r.AnchorAt = u.LastInvitedAt
				}
				r.NextAt = s.nextReminder(org, u, r, now)
				if !sameSchedule(r, u.Reminders) {
					changed = append(changed, UserSchedule{UserID: u.ID, Schedule: r})
				}
			}
			return s.store.SetReminderSchedules(ctx, changed)
		})
		if err != nil || n < reschedulePage {
			return err
		}
	}
}

func sameSchedule(a, b ReminderSchedule) bool {
	eq := func(x, y *time.Time) bool { return x == nil && y == nil || x != nil && y != nil && x.Equal(*y) }
	return a.Sent == b.Sent && a.Stopped == b.Stopped && eq(a.AnchorAt, b.AnchorAt) && eq(a.LastAt, b.LastAt) && eq(a.NextAt, b.NextAt)
}

// nextReminder is when u's next reminder is due under org's policy, given
// the series r; nil when none will be: the person is not invite-pending,
// their latest invitation was handed over by hand or never made, or the
// series is over.
func (s *Service) nextReminder(org Organization, u User, r ReminderSchedule, now time.Time) *time.Time {
	if u.Status != InvitePending || u.Invite == nil || u.Invite.Delivery.Status == DeliveryByHand || u.Invite.AcceptedAt != nil {
		return nil
	}
	var expiry time.Time
	if u.Invite.State(now) == InviteLive {
		expiry = u.Invite.ExpiresAt
	} else if u.Invite.RevokedAt != nil {
		return nil // revoked by hand, by an email change or a deactivation: nothing to remind of
	}
	return org.Reminders.nextDue(r, expiry, now, org.location())
}

// startSeries starts u's reminder series with the invitation just issued
// (in the caller's transaction): a send, resend, renewal or bulk resend
// restarts the schedule; an invitation handed over by hand has none.
func (s *Service) startSeries(ctx context.Context, org Organization, u *User, inv Invite, byHand bool) error {
	if !org.Reminders.Enabled && u.Reminders == (ReminderSchedule{}) {
		return nil // nothing to start, nothing to end: no statement
	}
	// The series counts from the invitation's own time, as the user view shows it.
	at := inv.CreatedAt
	r := ReminderSchedule{AnchorAt: &at}
	if !byHand {
		uu := *u
		uu.Invite = &inv
		uu.Status = InvitePending
		r.NextAt = s.nextReminder(org, uu, r, at)
	}
	u.Reminders = r
	return s.store.SetReminderSchedules(ctx, []UserSchedule{{UserID: u.ID, Schedule: r}})
}

// SendDueReminders sends the reminders due now, in batches, starting no
// batch once budget has passed (0: no limit), and returns how many it sent
// and whether some are still due. Each batch claims its people in the
// database (rows another replica's sweep holds are skipped), sends or
// stops each one's reminder, and moves its next due time past now, all in
// one transaction: each reminder goes once, whichever replica sweeps.
func (s *Service) SendDueReminders(ctx context.Context, budget time.Duration) (sent int, more bool, err error) {
	start := time.Now()
	for {
		n, more, err := s.remindBatch(ctx)
		sent += n
		if err != nil || !more {
			return sent, false, err
		}
		if budget > 0 && time.Since(start) >= budget {
			return sent, true, nil
		}
	}
}

func (s *Service) remindBatch(ctx context.Context) (sent int, more bool, err error) {
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		users, err := s.store.ClaimDueReminders(ctx, now, reminderBatch)
		if err != nil || len(users) == 0 {
			return err
		}
		more = len(users) == reminderBatch
		orgs := map[uuid.UUID]Organization{}
		box := &outbox{}
		var (
			schedules []UserSchedule
			reminded  []uuid.UUID
		)
		for _, u := range users {
			org, ok := orgs[u.OrganizationID]
			if !ok {
				if org, err = s.store.OrganizationByID(ctx, u.OrganizationID); err != nil {
					return err
				}
				orgs[org.ID] = org
			}
			r, didSend, err := s.remind(ctx, org, &u, now, box)
			if err != nil {
				return err
			}
			schedules = append(schedules, UserSchedule{UserID: u.ID, Schedule: r})
			if didSend {
				reminded = append(reminded, u.ID)
			}
		}
		sent = len(reminded)
		if err := s.store.SetReminderSchedules(ctx, schedules); err != nil {
			return err
		}
		if err := s.store.CountReminders(ctx, reminded); err != nil {
			return err
		}
		for start := 0; start < len(box.inviteIDs); start += s.dispatch.opts.MaxUnconfirmed {
			if err := s.store.EnqueueInviteBatch(ctx, box.inviteIDs[start:min(start+s.dispatch.opts.MaxUnconfirmed, len(box.inviteIDs))]); err != nil {
				return err
			}
		}
		return nil
	})
	return sent, more, err
}

// remind handles one person whose reminder is due: it sends it, puts it
// off past the quiet hours, or ends the series, and returns the series as
// it now stands.
func (s *Service) remind(ctx context.Context, org Organization, u *User, now time.Time, box *outbox) (ReminderSchedule, bool, error) {
	r, p := u.Reminders, org.Reminders
	end := func() (ReminderSchedule, bool, error) { r.NextAt = nil; return r, false, nil }
	if !p.Enabled || r.AnchorAt == nil || r.Sent >= p.MaxReminders || cannotBeReminded(u, now) {
		return end()
	}
	if p.stopsReminders(u.Invite.Delivery.Status) {
		r.Stopped = u.Invite.Delivery.Status
		s.log.InfoContext(ctx, "reminders stopped: the latest invitation was "+string(r.Stopped), "user_id", u.ID)
		return end()
	}
	if in, until := p.Quiet.quiet(now, org.location()); in {
		r.NextAt = &until
		return r, false, nil
	}
	r.Sent++
	r.LastAt = &now
	meta := map[string]any{"reminder": r.Sent}
	if u.Invite.State(now) == InviteLive && u.Invite.ExpiresAt.Sub(now) >= ReuseLinkFor {
		inv := *u.Invite
		if err := s.store.RemailInvite(ctx, inv.ID, now); err != nil {
			return r, false, err
		}
		box.inviteIDs = append(box.inviteIDs, inv.ID)
		meta["invite_id"], meta["link"], meta["invites_revoked"], meta["expires_at"] = inv.ID, "reused", 0, inv.ExpiresAt
		if err := s.audit(ctx, org.ID, nil, &u.ID, ActionInviteReminded, meta); err != nil {
			return r, false, err
		}
	} else {
		inv, err := s.issueReminderInvite(ctx, org, u, box, r.Sent)
		if err != nil {
			return r, false, err
		}
		u.Invite = &inv
	}
	r.NextAt = s.nextReminder(org, *u, r, now)
	return r, true, nil
}

// cannotBeReminded reports whether u can no longer be reminded at all:
// no longer invite-pending, never invited, or their latest invitation
// handed over by hand, accepted or revoked.
func cannotBeReminded(u *User, now time.Time) bool {
	if u.Status != InvitePending || u.Invite == nil || u.Invite.Delivery.Status == DeliveryByHand {
		return true
	}
	st := u.Invite.State(now)
	return st == InviteAccepted || st == InviteRevoked
}

// issueReminderInvite replaces a link too close to its end (or past it)
// with a fresh invitation, through the resend path: every earlier link is
// revoked in the same transaction (R3).
func (s *Service) issueReminderInvite(ctx context.Context, org Organization, u *User, box *outbox, n int) (Invite, error) {
	return s.issueInvite(ctx, org, u, nil, issue{action: ActionInviteReminded, box: box, reminder: n})
}

// stopRemindersOn ends the reminder series of inv's user the moment the
// provider reports the latest invitation undeliverable, when the policy
// says so: the user view shows reminders_stopped from then on, instead of
// a next reminder that will not go.
func (s *Service) stopRemindersOn(ctx context.Context, inv Invite, st DeliveryStatus) error {
	if !slices.Contains(undeliverableStatuses, st) {
		return nil
	}
	org, err := s.store.OrganizationByID(ctx, inv.OrganizationID)
	if err != nil || !org.Reminders.stopsReminders(st) {
		return err
	}
	u, err := s.store.User(ctx, org.ID, inv.UserID)
	if err != nil || u.LatestInviteID == nil || *u.LatestInviteID != inv.ID || u.Reminders.NextAt == nil {
		return err
	}
	r := u.Reminders
	r.NextAt, r.Stopped = nil, st
	return s.store.SetReminderSchedules(ctx, []UserSchedule{{UserID: u.ID, Schedule: r}})
}
