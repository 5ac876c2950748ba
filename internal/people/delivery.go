package people

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/mail"
)

// DeliverInvite hands one invitation's email to the mail provider. An
// invite that stopped being live is never sent, and one the provider has
// already accepted is not sent twice: either way the call succeeds without
// sending. The link is rebuilt from the invite, so a retry after a crash
// between the provider's acceptance and its record mails the same, still
// valid link. Errors are *mail.Error when the provider refused; the caller
// retries temporary ones and any other error.
func (s *Service) DeliverInvite(ctx context.Context, inviteID uuid.UUID) (err error) {
	defer apperr.Wrap(&err, "people.DeliverInvite")
	return s.DeliverInviteBatch(ctx, []uuid.UUID{inviteID})
}

// DeliverInviteBatch hands the emails of invites created together (a batch
// of a bulk job) to the provider, one call per organization, inviter and
// language, each recipient with their own link. It keeps only invites that are still
// live and their user's latest, and that the provider has not accepted yet,
// so a retry after a partial failure or a crash never mails a superseded
// link and mails an accepted one again only if its acceptance went
// unrecorded. Errors are those of DeliverInvite.
func (s *Service) DeliverInviteBatch(ctx context.Context, inviteIDs []uuid.UUID) (err error) {
	defer apperr.Wrap(&err, "people.DeliverInviteBatch")
	invites, err := s.store.InvitesByID(ctx, inviteIDs)
	if err != nil || len(invites) == 0 {
		return err
	}
	type group struct {
		org       uuid.UUID
		createdBy uuid.UUID
		locale    string
	}
	var (
		order  []group
		groups = map[group][]deliverable{}
		users  = map[uuid.UUID]User{}
	)
	for orgID, ids := range userIDsByOrg(invites) {
		us, err := s.store.UsersByID(ctx, orgID, ids)
		if err != nil {
			return err
		}
		for _, u := range us {
			users[u.ID] = u
		}
	}
	now := s.now()
	for _, inv := range invites {
		u, ok := users[inv.UserID]
		if !ok {
			continue // deleted meanwhile: nobody to mail
		}
		if why := undeliverable(inv, u, now); why != "" {
			s.log.InfoContext(ctx, "invite email not sent: "+why, "invite_id", inv.ID, "state", inv.State(now))
			continue
		}
		g := group{org: inv.OrganizationID, locale: u.Locale}
		if inv.CreatedBy != nil {
			g.createdBy = *inv.CreatedBy
		}
		if _, seen := groups[g]; !seen {
			order = append(order, g)
		}
		groups[g] = append(groups[g], deliverable{invite: inv, user: u})
	}
	for _, g := range order {
		items := groups[g]
		batch, err := s.batchFor(ctx, items[0].invite, items)
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(items))
		for i, it := range items {
			ids[i] = it.invite.ID
		}
		receipt, sendErr := s.mailer.Send(ctx, batch)
		// A failed group stops here: the groups after it wait for the retry,
		// and the groups before it are not sent again.
		if err := s.recordSend(ctx, ids, receipt, sendErr); err != nil {
			return err
		}
	}
	return nil
}

func userIDsByOrg(invites []Invite) map[uuid.UUID][]uuid.UUID {
	m := map[uuid.UUID][]uuid.UUID{}
	for _, inv := range invites {
		m[inv.OrganizationID] = append(m[inv.OrganizationID], inv.UserID)
	}
	return m
}

// undeliverable says why the email of inv must not go out now, or "" when
// it must. Only the user's current, live invitation is ever mailed (R3), and
// only until the provider has accepted it once.
func undeliverable(inv Invite, u User, now time.Time) string {
	switch {
	case inv.State(now) != InviteLive:
		return "the invitation is no longer live"
	case u.Status != InvitePending:
		return "the user is " + string(u.Status)
	case u.LatestInviteID == nil || *u.LatestInviteID != inv.ID:
		return "a newer invitation exists"
	case inv.Delivery.SentAt != nil:
		return "the provider already accepted it"
	default:
		return ""
	}
}

// deliverable is an invite with its user, ready to be mailed.
type deliverable struct {
	invite Invite
	user   User
}

// batchFor builds the mail batch of invites that share an organization, an
// inviter and their users' language.
func (s *Service) batchFor(ctx context.Context, first Invite, items []deliverable) (mail.Batch, error) {
	org, err := s.store.OrganizationByID(ctx, first.OrganizationID)
	if err != nil {
		return mail.Batch{}, err
	}
	batch := mail.Batch{OrganizationID: org.ID.String(), OrganizationName: org.Name,
		Locale: items[0].user.Locale, DefaultLocale: org.DefaultLocale, TimeZone: org.TimeZone}
	if first.CreatedBy != nil {
		if inviter, err := s.store.User(ctx, org.ID, *first.CreatedBy); err == nil {
			batch.InviterName = inviter.FullName()
		}
	}
	for _, it := range items {
		token, err := s.signer.Sign(it.invite.KeyID, it.invite.ID, it.user.ID, it.invite.ExpiresAt)
		if err != nil {
			return mail.Batch{}, apperr.Internal("people.DeliverInvites: sign link", err)
		}
		batch.Recipients = append(batch.Recipients, mail.Recipient{
			InviteID: it.invite.ID.String(), UserID: it.user.ID.String(), Email: it.user.Email,
			FirstName: it.user.FirstName, LastName: it.user.LastName,
			Link: s.InviteLink(token), ExpiresAt: it.invite.ExpiresAt,
		})
	}
	return batch, nil
}

// recordSend stores the outcome of a send for each of its invites and
// returns sendErr for the caller's retry decision.
func (s *Service) recordSend(ctx context.Context, inviteIDs []uuid.UUID, receipt mail.Receipt, sendErr error) error {
	attempt := SendAttempt{At: s.now(), Sent: sendErr == nil, MessageID: receipt.MessageID}
	if sendErr != nil {
		var me *mail.Error
		if !errors.As(sendErr, &me) {
			return sendErr // not the provider's answer (ctx cancelled at shutdown…): nothing to record
		}
		attempt.Failed, attempt.Reason = me.Permanent, me.Error()
		if me.Reason != "" {
			attempt.Reason = me.Reason
		}
	}
	// A fresh context: the outcome must be recorded even if the job's ctx ended.
	if err := s.store.RecordSendAttempts(context.WithoutCancel(ctx), inviteIDs, attempt); err != nil {
		// Not a *mail.Error, whatever the provider said: the job is
		// retried until the outcome is on record. A retry after a refusal
		// asks again and records the answer; after an acceptance it sends
		// a copy with the same link, which beats an invite stuck "queued".
		if sendErr != nil {
			return fmt.Errorf("record send outcome %q: %w", sendErr.Error(), err)
		}
		return fmt.Errorf("record accepted send: %w", err)
	}
	return sendErr
}

// ApplyDeliveryEvents records the provider's events about invitation emails.
// Each event is applied once; an event older than the one that set the
// current status changes nothing. Events about no invite we know are ignored.
func (s *Service) ApplyDeliveryEvents(ctx context.Context, events []DeliveryEvent) (applied int, err error) {
	defer apperr.Wrap(&err, "people.ApplyDeliveryEvents")
	for _, e := range events {
		e.ReceivedAt = s.now()
		if e.OccurredAt.IsZero() {
			// An event without a usable time is placed when it arrived,
			// so that it neither wins nor loses against every other.
			e.OccurredAt = e.ReceivedAt
		}
		err := s.store.InTx(ctx, func(ctx context.Context) error {
			inv, err := s.store.ApplyDeliveryEvent(ctx, e)
			if err != nil || inv == nil {
				return err
			}
			applied++
			if !announcedDelivery(e.Status) {
				return nil
			}
			return s.emit(ctx, pendingEvent{org: inv.OrganizationID, typ: EventInviteDeliveryUpdated, user: &inv.UserID, invite: &inv.ID})
		})
		if err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// announcedDelivery tells the statuses invite.delivery_updated reports:
// what the provider learned about the message after accepting it.
func announcedDelivery(st DeliveryStatus) bool {
	switch st {
	case DeliveryDelivered, DeliveryBounced, DeliveryBlocked, DeliveryDropped, DeliveryDeferred, DeliverySpamReport:
		return true
	default: // queued, sent, failed, by hand: the service's own doing, not the provider's report
		return false
	}
}

// Precedence orders the statuses that provider events set, for events
// that happened in the same second (the provider's resolution): a deferral
// comes before the outcome it delays, a delivery before a late bounce or a
// spam report. The later event in this order wins the tie. Statuses that
// no event sets (queued, sent, failed, by_hand) rank lowest.
func (d DeliveryStatus) Precedence() int {
	switch d {
	case DeliveryDeferred:
		return 1
	case DeliveryDelivered:
		return 2
	case DeliveryBounced, DeliveryBlocked, DeliveryDropped:
		return 3
	case DeliverySpamReport:
		return 4
	case DeliveryQueued, DeliverySent, DeliveryFailed, DeliveryByHand:
		return 0
	}
	return 0
}
