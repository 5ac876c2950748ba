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
	// ShareOrganization is OrganizationByID that also keeps the row from
	// changing until the caller's transaction ends, as LockOrganization
	// does, while letting other readers that share it go on.
	ShareOrganization(ctx context.Context, id uuid.UUID) (Organization, error)
	// SetReminderSchedules writes the users' places in their reminder
	// series, a few statements for many users.
	SetReminderSchedules(ctx context.Context, schedules []UserSchedule) error
	// StartReminderReschedule records that the organization's people are
	// to be rescheduled by the policy's revision, replacing any reschedule
	// of an earlier one, and queues the job that does it, in the caller's
	// transaction.
	StartReminderReschedule(ctx context.Context, orgID uuid.UUID, revision int, at time.Time) error
	// ReminderReschedule returns the organization's reschedule under way;
	// ok is false when none is.
	ReminderReschedule(ctx context.Context, orgID uuid.UUID) (r ReminderReschedule, ok bool, err error)
	// LockReminderReschedule is ReminderReschedule that also locks the row
	// until the caller's transaction ends.
	LockReminderReschedule(ctx context.Context, orgID uuid.UUID) (r ReminderReschedule, ok bool, err error)
	// AdvanceReminderReschedule records the last user the reschedule of
	// revision has done.
	AdvanceReminderReschedule(ctx context.Context, orgID uuid.UUID, revision int, after uuid.UUID, at time.Time) error
	// FinishReminderReschedule ends the reschedule of revision, if it is
	// still the organization's.
	FinishReminderReschedule(ctx context.Context, orgID uuid.UUID, revision int) error
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
	// RemindersStoppedByDomain counts, per domain of their addresses, the
	// organization's invite-pending people whose reminders an
	// undeliverable invitation stopped.
	RemindersStoppedByDomain(ctx context.Context, orgID uuid.UUID) (map[string]int, error)
}

// ReminderReschedule is a reschedule under way: the policy's revision it
// reschedules by, and the last user it has done (uuid.Nil before the first).
type ReminderReschedule struct {
	Revision int
	After    uuid.UUID
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

// GetReminderPolicy returns the organization's reminder policy, and
// whether its people are still being rescheduled by it: owners and admins only.
func (s *Service) GetReminderPolicy(ctx context.Context, actor Actor) (ReminderPolicy, error) {
	if err := requireSettingsRole(actor); err != nil {
		return ReminderPolicy{}, err
	}
	org, err := s.store.OrganizationByID(ctx, actor.OrganizationID)
	if err != nil {
		return ReminderPolicy{}, err
	}
	p := org.Reminders
	r, ok, err := s.store.ReminderReschedule(ctx, org.ID)
	p.Rescheduling = ok && r.Revision == p.Revision
	return p, err
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
// starts the reschedule of its invite-pending people by it, in the same
// transaction, as a job (RescheduleReminders): the request does not wait
// for an organization of 100,000 people. Meanwhile the sweep checks every
// due reminder against the new policy (remind), so none goes by the old
// one. Audited as organization.updated.
func (s *Service) UpdateReminderPolicy(ctx context.Context, actor Actor, p ReminderPolicy) (ReminderPolicy, error) {
	if err := requireSettingsRole(actor); err != nil {
		return ReminderPolicy{}, err
	}
	if err := p.Validate(); err != nil {
		return ReminderPolicy{}, err
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		org, err := s.store.LockOrganization(ctx, actor.OrganizationID)
		if err != nil {
			return err
		}
		now := s.now()
		p.Revision, p.ChangedAt, p.Rescheduling = org.Reminders.Revision+1, now, false
		if err := s.store.UpdateReminderPolicy(ctx, org.ID, p, now); err != nil {
			return err
		}
		if err := s.store.StartReminderReschedule(ctx, org.ID, p.Revision, now); err != nil {
			return err
		}
		return s.audit(ctx, org.ID, &actor.ID, nil, ActionOrganizationUpdated, map[string]any{
			"fields": []string{"reminders"}, "from": map[string]any{"reminders": policyMeta(org.Reminders)},
			"to": map[string]any{"reminders": policyMeta(p)}})
	})
	if err != nil {
		return ReminderPolicy{}, err
	}
	p.Rescheduling = true
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

// RescheduleReminders reschedules the organization's invite-pending people
// by revision of its policy, a page of them per transaction, in id order,
// starting no page once budget has passed (0: no limit), and reports
// whether some are left. Each series keeps its count and its start (the
// last invitation a person sent, for people invited before the policy
// existed), and only due times after the change count, so turning
// reminders on never mails everybody at once, and a due time that passed
// while the reschedule was on its way is still sent. Turning them off ends
// every series.
//
// It may run twice at once, or again after a crash (the job's rescue):
// each page recomputes the schedules from the stored facts and records its
// place in the same transaction, so a run repeats nothing and skips
// nothing. A run of a revision the policy has since moved past ends at
// once: the newer revision's reschedule starts from the first person.
func (s *Service) RescheduleReminders(ctx context.Context, orgID uuid.UUID, revision int, budget time.Duration) (more bool, err error) {
	start := time.Now()
	for {
		done, err := s.reschedulePage(ctx, orgID, revision)
		if err != nil || done {
			return false, err
		}
		if budget > 0 && time.Since(start) >= budget {
			return true, nil
		}
	}
}

// reschedulePage reschedules the next page; done says none is left, or the
// policy moved on.
func (s *Service) reschedulePage(ctx context.Context, orgID uuid.UUID, revision int) (done bool, err error) {
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		at, ok, err := s.store.ReminderReschedule(ctx, orgID)
		if err != nil || !ok || at.Revision != revision {
			done = true
			return err
		}
		// The people first, then the reschedule's row: a policy change
		// holds the organization and waits for the row, and the sweep
		// holds people and waits for the organization, so taking the row
		// before the people could close a circle of waits.
		users, err := s.store.PendingUsersAfter(ctx, orgID, at.After, reschedulePage)
		if err != nil {
			return err
		}
		locked, ok, err := s.store.LockReminderReschedule(ctx, orgID)
		if err != nil || !ok || locked.Revision != revision {
			done = true
			return err
		}
		if locked.After != at.After {
			return nil // another run did this page meanwhile: read the next
		}
		org, err := s.store.OrganizationByID(ctx, orgID)
		if err != nil {
			return err
		}
		var changed []UserSchedule
		for _, u := range users {
			r := u.Reminders
			if r.AnchorAt == nil && r.Stopped == "" {
				r.AnchorAt = u.LastInvitedAt
			}
			// A person whose latest invitation already bounced (or was
			// blocked, dropped, reported) gets no due time the sweep would
			// only end: the series stops now, as a new bounce stops it.
			if r.Stopped == "" && u.Invite != nil && org.Reminders.Enabled && org.Reminders.stopsReminders(u.Invite.Delivery.Status) {
				r.Stopped = u.Invite.Delivery.Status
			}
			r.NextAt = s.nextReminder(org, u, r, org.Reminders.ChangedAt)
			if !sameSchedule(r, u.Reminders) {
				changed = append(changed, UserSchedule{UserID: u.ID, Schedule: r})
			}
		}
		if err := s.store.SetReminderSchedules(ctx, changed); err != nil {
			return err
		}
		if len(users) < reschedulePage {
			done = true
			s.log.InfoContext(ctx, "reminders rescheduled", "organization_id", orgID, "revision", revision)
			return s.store.FinishReminderReschedule(ctx, orgID, revision)
		}
		return s.store.AdvanceReminderReschedule(ctx, orgID, revision, users[len(users)-1].ID, s.now())
	})
	return done, err
}

func sameSchedule(a, b ReminderSchedule) bool {
	eq := func(x, y *time.Time) bool { return x == nil && y == nil || x != nil && y != nil && x.Equal(*y) }
	return a.Sent == b.Sent && a.Stopped == b.Stopped && eq(a.AnchorAt, b.AnchorAt) && eq(a.LastAt, b.LastAt) && eq(a.NextAt, b.NextAt)
}

// nextReminder is when u's next reminder is due under org's policy, given
// the series r, counting only the due times after since; nil when none
// will be: the person is not invite-pending, their latest invitation was
// handed over by hand, accepted, revoked or never made, or the series is
// over. A link that has expired still counts for the reminder before its
// expiry if that fell after since: the reminder then brings a fresh one.
func (s *Service) nextReminder(org Organization, u User, r ReminderSchedule, since time.Time) *time.Time {
	if u.Status != InvitePending || u.Invite == nil || u.Invite.Delivery.Status == DeliveryByHand ||
		u.Invite.AcceptedAt != nil || u.Invite.RevokedAt != nil {
		return nil
	}
	return org.Reminders.nextDue(r, u.Invite.ExpiresAt, since, org.location())
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
				// Shared, so that a change of the policy waits for this
				// batch: none of its reminders goes by a policy already
				// replaced.
				if org, err = s.store.ShareOrganization(ctx, u.OrganizationID); err != nil {
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
	// The due time was computed by the policy of its day: one changed
	// since (its reschedule may not have reached this person yet) is
	// checked here, counting the due times after the change. A reminder no
	// longer due waits for its new time, or ends.
	due := s.nextReminder(org, *u, r, p.ChangedAt)
	if due == nil {
		return end()
	}
	if due.After(now) {
		r.NextAt = due
		return r, false, nil
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
	// Locked: a sweep may hold the row to send a reminder; the schedule is
	// read after it commits, so its count and time are not written back
	// stale.
	u, err := s.store.LockUser(ctx, org.ID, inv.UserID)
	if err != nil || u.LatestInviteID == nil || *u.LatestInviteID != inv.ID || u.Reminders.NextAt == nil {
		return err
	}
	r := u.Reminders
	r.NextAt, r.Stopped = nil, st
	return s.store.SetReminderSchedules(ctx, []UserSchedule{{UserID: u.ID, Schedule: r}})
}
