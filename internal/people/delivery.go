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
// already accepted (or refused for good) is not sent again: either way the
// call succeeds without sending. The email may share a provider call with
// others queued at the same time (see DeliveryOptions). The link is
// rebuilt from the invite, so a retry after a crash between the provider's
// acceptance and its record mails the same, still valid link. Errors are
// *mail.Error when the provider refused; the caller retries temporary ones
// and any other error.
func (s *Service) DeliverInvite(ctx context.Context, inviteID uuid.UUID) (err error) {
	defer apperr.Wrap(&err, "people.DeliverInvite")
	return s.dispatch.deliver(ctx, []uuid.UUID{inviteID})[0]
}

// DeliverInviteBatch hands the emails of invites created together (a batch
// of a bulk job) to the provider, as DeliverInvite does for each: one call
// per organization, inviter and language, each recipient with their own
// link. A recipient the provider refuses for good fails alone. The error is the
// one that decides the batch's retry: a temporary failure or other error
// if any email had one (a retry sends only what is still unsent), else a
// rate limit if any, else a Wait if any, else a refusal for good if every
// email was refused; nil when every email went out or must not go out.
func (s *Service) DeliverInviteBatch(ctx context.Context, inviteIDs []uuid.UUID) (err error) {
	defer apperr.Wrap(&err, "people.DeliverInviteBatch")
	if len(inviteIDs) == 0 {
		return nil
	}
	var (
		limited  *mail.Error
		waiting  error
		refused  error
		refusals int
	)
	for _, err := range s.dispatch.deliver(ctx, inviteIDs) {
		var (
			me *mail.Error
			w  Wait
		)
		switch {
		case err == nil:
		case errors.As(err, &w):
			waiting = err
		case !errors.As(err, &me):
			return err
		case me.Permanent:
			refused = err
			refusals++
		case me.RetryAfter > 0:
			if limited == nil || me.RetryAfter > limited.RetryAfter {
				limited = me
			}
		default:
			return err
		}
	}
	switch {
	case limited != nil:
		return limited
	case waiting != nil:
		return waiting
	case refusals == len(inviteIDs):
		return refused
	default:
		return nil
	}
}

// undeliverable says why the email of inv must not go out now, or "" when
// it must. Only the user's current, live invitation is ever mailed (R3), and
// only until the provider has accepted it once (or reported on it), or
// refused it for good.
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
	case inv.Delivery.EventAt != nil:
		// An event came before the answer was recorded (a call cut short,
		// a crash): the provider has the message.
		return "the provider already reported on it"
	case inv.Delivery.Status == DeliveryFailed:
		return "the provider refused it for good"
	case inv.Delivery.Status == DeliveryByHand:
		return "its link is handed over by hand"
	default:
		return ""
	}
}

// send makes one provider call for c's letters and records the outcome;
// the result holds one error per letter. The attempt is on record as
// sending before the call, so that a crash during the call leaves it
// visible and bounded. When the provider refuses some recipients by name,
// they fail alone and the others go in a call of their own.
func (s *Service) send(ctx context.Context, c *call) []error {
	results := make([]error, len(c.letters))
	// Positions in c.letters of the recipients still to send.
	todo := make([]int, len(c.letters))
	for i := range todo {
		todo[i] = i
	}
	for len(todo) > 0 {
		batch, err := s.batchOf(c, todo)
		if err != nil {
			for _, i := range todo {
				results[i] = err
			}
			return results
		}
		ids := make([]uuid.UUID, len(todo))
		for k, i := range todo {
			ids[k] = c.letters[i].invite.ID
		}
		// A fresh context: what is on record must not depend on the jobs' fate.
		if err := s.store.StartSendAttempts(context.WithoutCancel(ctx), ids, s.now()); err != nil {
			for _, i := range todo {
				results[i] = err
			}
			return results
		}
		receipt, sendErr := s.mailer.Send(ctx, batch)
		var me *mail.Error
		if errors.As(sendErr, &me) && me.Permanent && len(todo) > 1 {
			if blamed, rest := splitBlamed(todo, me.Recipients); len(blamed) > 0 && len(rest) > 0 {
				blamedIDs := make([]uuid.UUID, len(blamed))
				for k, i := range blamed {
					blamedIDs[k] = c.letters[i].invite.ID
				}
				err := s.recordSend(ctx, blamedIDs, mail.Receipt{}, sendErr)
				for _, i := range blamed {
					results[i] = err
				}
				todo = rest
				continue
			}
		}
		err = s.recordSend(ctx, ids, receipt, sendErr)
		for _, i := range todo {
			results[i] = err
		}
		return results
	}
	return results
}

// splitBlamed separates the recipients a refusal names (by their position
// in the call, which todo maps to letters) from the others.
func splitBlamed(todo, named []int) (blamed, rest []int) {
	isNamed := make(map[int]bool, len(named))
	for _, k := range named {
		isNamed[k] = true
	}
	for k, i := range todo {
		if isNamed[k] {
			blamed = append(blamed, i)
		} else {
			rest = append(rest, i)
		}
	}
	return blamed, rest
}

// batchOf builds the mail batch of the letters of c at the positions todo.
func (s *Service) batchOf(c *call, todo []int) (mail.Batch, error) {
	batch := mail.Batch{OrganizationID: c.org.ID.String(), OrganizationName: c.org.Name, InviterName: c.inviter,
		Locale: c.locale, DefaultLocale: c.org.DefaultLocale, TimeZone: c.org.TimeZone,
		Recipients: make([]mail.Recipient, 0, len(todo))}
	for _, i := range todo {
		inv, u := c.letters[i].invite, c.letters[i].user
		token, err := s.signer.Sign(inv.KeyID, inv.ID, u.ID, inv.ExpiresAt)
		if err != nil {
			return mail.Batch{}, apperr.Internal("people.DeliverInvites: sign link", err)
		}
		batch.Recipients = append(batch.Recipients, mail.Recipient{
			InviteID: inv.ID.String(), UserID: u.ID.String(), Email: u.Email,
			FirstName: u.FirstName, LastName: u.LastName,
			Link: s.InviteLink(token), ExpiresAt: inv.ExpiresAt,
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
			// Not the provider's answer (a shutdown cut the call short…):
			// nothing to record, and the attempt stays sending, since the
			// provider may have taken the message before the cut.
			return sendErr
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
		// a copy with the same link, which beats an invite stuck "sending".
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
			if err := s.stopRemindersOn(ctx, *inv, e.Status); err != nil {
				return err
			}
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
// no event sets (queued, sending, sent, failed, by_hand) rank lowest.
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
	case DeliveryQueued, DeliverySending, DeliverySent, DeliveryFailed, DeliveryByHand:
		return 0
	}
	return 0
}
