package people

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/auth"
)

// outbox collects the invites a batch of a bulk job creates, so that their
// emails are queued as a few jobs of a provider call's worth each instead of
// one each.
type outbox struct {
	inviteIDs []uuid.UUID
	// jobID is the bulk job of the batch, recorded on its invites.
	jobID *uuid.UUID
	// budget is when the batch stops taking on items (see batchBudget).
	budget time.Time
}

// spent reports whether the batch has used its time before item i; the
// first item is always taken, so that every batch makes progress.
func (b *outbox) spent(i int) bool {
	return i > 0 && !b.budget.IsZero() && time.Now().After(b.budget)
}

// InviteOptions are the choices of one invitation.
type InviteOptions struct {
	// ExpiresIn is how long the link lives, in whole hours from
	// MinInviteTTL to MaxInviteTTL; nil is the organization's invite_ttl.
	ExpiresIn *time.Duration
}

// validate reports an expires_in out of bounds.
func (o InviteOptions) validate() *apperr.FieldError {
	if o.ExpiresIn == nil {
		return nil
	}
	return validInviteTTL("expires_in", *o.ExpiresIn)
}

// lifetime is how long the invitation lives in org.
func (o InviteOptions) lifetime(org Organization) time.Duration {
	if o.ExpiresIn != nil {
		return *o.ExpiresIn
	}
	return org.InviteTTL
}

// hoursOf is the lifetime in hours, 0 for the organization's default.
func (o InviteOptions) hoursOf() int {
	if o.ExpiresIn == nil {
		return 0
	}
	return hours(*o.ExpiresIn)
}

// issue says how issueInvite gets a new invitation to its user.
type issue struct {
	action string
	opts   InviteOptions
	// box is a bulk batch's outbox; nil queues the email on its own.
	box *outbox
	// byHand: a people manager hands the link over (invite-link); no email.
	byHand bool
	// reminder numbers an automatic reminder's fresh invitation in its
	// series; 0 for every invitation a person sends, which starts a series.
	reminder int
}

// issueInvite revokes the user's open invites, creates a fresh one, points
// the user at it, queues its email and audits it — all in the caller's
// transaction, with the user's row already locked (rules R3, R4).
func (s *Service) issueInvite(ctx context.Context, org Organization, u *User, actorID *uuid.UUID, how issue) (Invite, error) {
	now := s.now()
	inv := Invite{
		ID: newID(), OrganizationID: org.ID, UserID: u.ID, CreatedBy: actorID,
		KeyID: s.signer.CurrentKeyID(), CreatedAt: now,
		// Whole seconds: the link's signature covers the expiry in seconds.
		ExpiresAt:       now.Add(how.opts.lifetime(org)).Truncate(time.Second),
		Delivery:        Delivery{Status: DeliveryQueued, UpdatedAt: now},
		RecipientDomain: emailDomain(u.Email), LastEmailedAt: now,
	}
	if how.box != nil {
		inv.JobID = how.box.jobID
	}
	if how.byHand {
		inv.Delivery.Status = DeliveryByHand
	}
	revoked, err := s.store.AddInvite(ctx, &inv) // revokes the open ones, numbers it and makes it the user's latest
	if err != nil {
		return Invite{}, err
	}
	u.LatestInviteID, u.LastInvitedAt, u.UpdatedAt = &inv.ID, &now, now
	switch {
	case how.byHand:
	case how.box != nil:
		how.box.inviteIDs = append(how.box.inviteIDs, inv.ID)
	default:
		if err := s.store.EnqueueInviteEmail(ctx, inv); err != nil {
			return Invite{}, err
		}
	}
	meta := map[string]any{"invite_id": inv.ID, "sequence": inv.Sequence, "expires_at": inv.ExpiresAt, "invites_revoked": revoked}
	if how.reminder > 0 {
		meta["reminder"], meta["link"] = how.reminder, "fresh"
	} else if err := s.startSeries(ctx, org, u, inv, how.byHand); err != nil {
		return Invite{}, err
	}
	if err := s.audit(ctx, org.ID, actorID, &u.ID, how.action, meta); err != nil {
		return Invite{}, err
	}
	u.Invite = &inv
	return inv, nil
}

// Warning is advice returned with a successful action.
type Warning struct {
	Code    string
	Message string
}

// ResendInvite sends a fresh invitation to an invite-pending user; every
// earlier link stops working when it returns (R2–R4, R9).
func (s *Service) ResendInvite(ctx context.Context, actor Actor, id uuid.UUID, opts InviteOptions) (Invite, []Warning, error) {
	if err := actor.RequireManager(); err != nil {
		return Invite{}, nil, err
	}
	if fe := opts.validate(); fe != nil {
		return Invite{}, nil, apperr.Invalid(*fe)
	}
	org, err := s.organizationOf(ctx, actor)
	if err != nil {
		return Invite{}, nil, err
	}
	ctx = withoutEndpoints(ctx, actor)
	var (
		inv      Invite
		warnings []Warning
		user     User
	)
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		u, err := s.store.LockUser(ctx, org.ID, id)
		if err != nil {
			return err
		}
		if inv, warnings, err = s.resend(ctx, actor, org, &u, opts, nil); err != nil {
			return err
		}
		user = u
		return nil
	})
	if err != nil {
		return Invite{}, nil, err
	}
	// After the commit: the resend is done whatever the report says.
	h, err := s.userDomainHealth(ctx, user)
	if err != nil {
		return Invite{}, nil, err
	}
	if w, ok := domainWarning(h); ok {
		warnings = append(warnings, w)
	}
	return inv, warnings, nil
}

// domainWarning tells a resend's caller that the user's domain is not healthy.
func domainWarning(h DomainHealth) (Warning, bool) {
	var facts string
	switch h.Verdict {
	case DomainHealthy:
		return Warning{}, false
	case DomainInvalid:
		facts = "has no mail server"
	case DomainBlocking:
		facts = fmt.Sprintf("blocked %d of the %d invitations sent there in the last 30 days", h.Blocked, h.Sent)
	case DomainDegraded:
		facts = fmt.Sprintf("did not take %d of the %d invitations sent there in the last 30 days", h.problems(), h.Sent)
	}
	if h.TopReason != "" {
		facts += " (most often: " + h.TopReason + ")"
	}
	return Warning{Code: "domain_" + string(h.Verdict),
		Message: "The domain " + h.Domain + " " + facts + ". " + h.Verdict.Advice()}, true
}

// resend is one resend to a locked user; bulk resends call it per user
// with their batch's outbox.
func (s *Service) resend(ctx context.Context, actor Actor, org Organization, u *User, opts InviteOptions, box *outbox) (Invite, []Warning, error) {
	action, err := resendAction(actor, *u)
	if err != nil {
		return Invite{}, nil, err
	}
	warnings := deliveryWarnings(*u)
	inv, err := s.issueInvite(ctx, org, u, &actor.ID, issue{action: action, opts: opts, box: box})
	return inv, warnings, err
}

// IssueInviteLink is a resend that sends nothing: a fresh invitation
// replaces every earlier link in the same transaction (R3), and its
// activation URL is returned to the people manager, who hands it over
// themselves when email does not get through. The URL is as sensitive as a
// password: it is built here, from the invite's signature, and stored,
// logged and queued nowhere; the audit trail records only that a link was
// issued (invite.link_issued).
func (s *Service) IssueInviteLink(ctx context.Context, actor Actor, id uuid.UUID, opts InviteOptions) (Invite, string, error) {
	if err := actor.RequireManager(); err != nil {
		return Invite{}, "", err
	}
	if fe := opts.validate(); fe != nil {
		return Invite{}, "", apperr.Invalid(*fe)
	}
	org, err := s.organizationOf(ctx, actor)
	if err != nil {
		return Invite{}, "", err
	}
	ctx = withoutEndpoints(ctx, actor)
	var inv Invite
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		u, err := s.store.LockUser(ctx, org.ID, id)
		if err != nil {
			return err
		}
		if _, err := resendAction(actor, u); err != nil {
			return err
		}
		inv, err = s.issueInvite(ctx, org, &u, &actor.ID, issue{action: ActionInviteLinkIssued, opts: opts, byHand: true})
		return err
	})
	if err != nil {
		return Invite{}, "", err
	}
	token, err := s.signer.Sign(inv.KeyID, inv.ID, inv.UserID, inv.ExpiresAt)
	if err != nil {
		return Invite{}, "", apperr.Internal("people.IssueInviteLink: sign link", err)
	}
	return inv, s.InviteLink(token), nil
}

// resendAction checks that actor may resend to u (R2, R5) and names the
// audit action: the first invitation of a user created without one is "sent".
func resendAction(actor Actor, u User) (string, error) {
	if err := actor.requireOutranked(u); err != nil {
		return "", err
	}
	if u.Status != InvitePending {
		return "", apperr.New(apperr.InviteNotPending,
			"Invitations can only be resent to invite-pending users; this user is %s.", u.Status).WithUserStatus(string(u.Status))
	}
	if u.LatestInviteID == nil {
		return ActionInviteSent, nil
	}
	return ActionInviteResent, nil
}

// deliveryWarnings explains why the previous invitation may not have
// arrived, so the administrator can fix the cause instead of resending blindly.
func deliveryWarnings(u User) []Warning {
	var ws []Warning
	// After an email change the previous invitation went to another
	// address: what became of it says nothing about the current one.
	if prev := u.Invite; prev != nil && prev.RevokeReason != RevokedEmailChanged {
		reason := ""
		if prev.Delivery.Reason != "" {
			reason = " (" + prev.Delivery.Reason + ")"
		}
		switch prev.Delivery.Status {
		case DeliveryBounced, DeliveryDropped:
			ws = append(ws, Warning{Code: "previous_delivery_" + string(prev.Delivery.Status),
				Message: "The previous invitation to " + u.Email + " was " + string(prev.Delivery.Status) + reason +
					". Check the address for typos, or set a password for the user instead."})
		case DeliveryBlocked:
			ws = append(ws, Warning{Code: "previous_delivery_blocked",
				Message: "The previous invitation was blocked by the recipient's mail server" + reason +
					". Their organisation's firewall may be rejecting the sender's domain; ask their IT team to allow it, or set a password for the user instead."})
		case DeliverySpamReport:
			ws = append(ws, Warning{Code: "previous_delivery_spam_report",
				Message: "The previous invitation was reported as spam, so further emails may be suppressed. Ask the user to check their spam folder, or set a password for them instead."})
		case DeliveryFailed:
			ws = append(ws, Warning{Code: "previous_delivery_failed",
				Message: "The email provider refused the previous invitation" + reason + "."})
		default: // queued, sent, delivered, deferred: nothing went wrong yet; by_hand: no email
		}
	}
	if u.EmailSuggestion != "" {
		ws = append(ws, Warning{Code: "email_suggestion",
			Message: "The address " + u.Email + " may contain a typo: did you mean " + u.EmailSuggestion + "?"})
	}
	return ws
}

// RevokeInvite voids a user's live invitation without deactivating them:
// the link stops working at once, the user stays invite-pending, and a
// resend or an invite link can invite them again. With no live invitation
// it fails with invite_not_live, naming the state of the latest one.
func (s *Service) RevokeInvite(ctx context.Context, actor Actor, id uuid.UUID) (User, error) {
	if err := actor.RequireManager(); err != nil {
		return User{}, err
	}
	return s.withTarget(ctx, actor, id, func(ctx context.Context, u *User) error {
		now := s.now()
		state := InviteState("none")
		if u.Invite != nil {
			state = u.Invite.State(now)
		}
		switch state {
		case InviteLive:
		case "none":
			return apperr.New(apperr.InviteNotLive, "The user has never been invited: there is no invitation to revoke.").
				WithInviteState(string(state))
		default:
			return apperr.New(apperr.InviteNotLive, "The user has no live invitation to revoke: their latest one is %s.", state).
				WithInviteState(string(state))
		}
		n, err := s.store.RevokeOpenInvites(ctx, u.ID, RevokedByManager, now)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, u.OrganizationID, &actor.ID, &u.ID, ActionInviteRevoked,
			map[string]any{"invite_id": u.Invite.ID, "invites_revoked": n}); err != nil {
			return err
		}
		u.UpdatedAt = now
		return s.store.UpdateUser(ctx, u)
	})
}

// InviteInfo is what the activation page shows before the user sets a password.
type InviteInfo struct {
	Email            string
	FirstName        string
	LastName         string
	OrganizationName string
	OrganizationSlug string
	ExpiresAt        time.Time
	// Locale is the user's language, and DefaultLocale the organization's:
	// the page speaks the first of them it has texts for.
	Locale        string
	DefaultLocale string
}

// resolved is an activation token checked against the database.
type resolved struct {
	invite Invite
	user   User
	org    Organization
}

// resolveToken finds the invite an activation token names and checks its
// signature. Unknown and forged tokens are indistinguishable.
func (s *Service) resolveToken(ctx context.Context, token string) (resolved, error) {
	notFound := apperr.New(apperr.InviteNotFound, "This invitation link is not valid.")
	inviteID, _, err := auth.ParseInviteToken(token)
	if err != nil {
		return resolved{}, notFound
	}
	inv, err := s.store.Invite(ctx, inviteID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return resolved{}, notFound
		}
		return resolved{}, err
	}
	if err := s.signer.Verify(token, inv.UserID, inv.ExpiresAt); err != nil {
		if errors.Is(err, auth.ErrInvalidToken) {
			return resolved{}, notFound
		}
		return resolved{}, apperr.Internal("people.resolveToken: verify", err)
	}
	u, err := s.store.User(ctx, inv.OrganizationID, inv.UserID)
	if err != nil {
		return resolved{}, err
	}
	org, err := s.store.OrganizationByID(ctx, inv.OrganizationID)
	if err != nil {
		return resolved{}, err
	}
	return resolved{invite: inv, user: u, org: org}, nil
}

// usable refuses an invite that is no longer live, saying why (410s).
func (s *Service) usable(r resolved) error {
	switch r.invite.State(s.now()) {
	case InviteAccepted:
		return apperr.New(apperr.InviteAccepted, "This invitation was already used. Sign in instead.")
	case InviteRevoked:
		return apperr.New(apperr.InviteRevoked, "This invitation link is no longer valid: %s.", revokeExplanation(r.invite.RevokeReason)).
			WithRevokeReason(string(r.invite.RevokeReason))
	case InviteExpired:
		renewable := r.user.Status == InvitePending
		msg := "This invitation link has expired."
		if renewable {
			msg += " A new one can be requested."
		}
		return apperr.New(apperr.InviteExpired, "%s", msg).WithExpired(r.invite.ExpiresAt, renewable)
	default:
		return nil
	}
}

func revokeExplanation(r RevokeReason) string {
	switch r {
	case RevokedSuperseded:
		return "a newer invitation was sent"
	case RevokedPasswordSet:
		return "a password was set for the account"
	case RevokedEmailChanged:
		return "the account's email address changed"
	case RevokedDeactivated:
		return "the account was deactivated"
	case RevokedByManager:
		return "it was revoked by an administrator"
	}
	return string(r)
}

// VerifyInvite tells the activation page whose invitation a token is.
// It consumes nothing: mail scanners and previews may call it freely (R7).
func (s *Service) VerifyInvite(ctx context.Context, token string) (InviteInfo, error) {
	r, err := s.resolveToken(ctx, token)
	if err != nil {
		return InviteInfo{}, err
	}
	if err := s.usable(r); err != nil {
		return InviteInfo{}, err
	}
	return InviteInfo{Email: r.user.Email, FirstName: r.user.FirstName, LastName: r.user.LastName,
		OrganizationName: r.org.Name, OrganizationSlug: r.org.Slug, ExpiresAt: r.invite.ExpiresAt,
		Locale: r.user.Locale, DefaultLocale: r.org.DefaultLocale}, nil
}

// Acceptance is the user's answer to an invitation.
type Acceptance struct {
	Token     string
	Password  string
	FirstName *string
	LastName  *string
}

// AcceptInvite consumes an activation link once: the user sets their
// password, becomes confirmed, and is signed in with a session (R7), all in
// one transaction, so a failed acceptance changed nothing. A deployment that
// only verifies another identity provider's tokens confirms the account all
// the same and starts no session (Session zero): the user signs in there.
func (s *Service) AcceptInvite(ctx context.Context, a Acceptance) (User, Session, error) {
	r, err := s.resolveToken(ctx, a.Token)
	if err != nil {
		return User{}, Session{}, err
	}
	if err := s.usable(r); err != nil {
		return User{}, Session{}, err
	}
	u := r.user
	var errs []apperr.FieldError
	var fe *apperr.FieldError
	if a.FirstName != nil {
		if u.FirstName, fe = normalizeName("first_name", *a.FirstName); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if a.LastName != nil {
		if u.LastName, fe = normalizeName("last_name", *a.LastName); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		return User{}, Session{}, apperr.Invalid(errs...)
	}
	hash, err := s.hashNewPassword(ctx, "password", a.Password, u, r.org) // slow: outside the transaction
	if err != nil {
		return User{}, Session{}, err
	}
	var sess Session
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		locked, err := s.store.LockUser(ctx, r.org.ID, u.ID)
		if err != nil {
			return err
		}
		// Re-read under the lock: a resend or a password set may have won the race.
		inv, err := s.store.Invite(ctx, r.invite.ID)
		if err != nil {
			return err
		}
		if err := s.usable(resolved{invite: inv, user: locked, org: r.org}); err != nil {
			return err
		}
		if locked.Status != InvitePending {
			return apperr.New(apperr.InviteRevoked, "This invitation link is no longer valid: the account is %s.", locked.Status).
				WithUserStatus(string(locked.Status))
		}
		now := s.now()
		if err := s.store.MarkInviteAccepted(ctx, inv.ID, now); err != nil {
			return err
		}
		if _, err := s.store.RevokeOpenInvites(ctx, locked.ID, RevokedSuperseded, now); err != nil {
			return err
		}
		locked.FirstName, locked.LastName = u.FirstName, u.LastName
		locked.PasswordHash, locked.MustChangePassword = hash, false
		locked.Status, locked.ConfirmedAt, locked.UpdatedAt = Confirmed, &now, now
		if err := s.store.UpdateUser(ctx, &locked); err != nil {
			return err
		}
		if err := s.audit(ctx, locked.OrganizationID, &locked.ID, &locked.ID, ActionInviteAccepted,
			map[string]any{"invite_id": inv.ID}); err != nil {
			return err
		}
		if u, err = s.store.User(ctx, locked.OrganizationID, locked.ID); err != nil {
			return err
		}
		if !s.tokens.Mints() {
			return nil
		}
		sess, err = s.startSession(ctx, u)
		return err
	})
	if err != nil {
		return User{}, Session{}, err
	}
	return u, sess, nil
}

// RenewInvite answers an expired link of a still-invited user with a fresh
// invitation, sent to the address on file — never to one the caller names.
func (s *Service) RenewInvite(ctx context.Context, token string) error {
	r, err := s.resolveToken(ctx, token)
	if err != nil {
		return err
	}
	err = s.usable(r)
	switch {
	case err == nil:
		return apperr.New(apperr.InviteStillValid, "This invitation link is still valid until %s; use it.",
			r.invite.ExpiresAt.Format(time.RFC3339)).WithExpiresAt(r.invite.ExpiresAt)
	case !apperr.Is(err, apperr.InviteExpired) || r.user.Status != InvitePending:
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		u, err := s.store.LockUser(ctx, r.org.ID, r.user.ID)
		if err != nil {
			return err
		}
		inv, err := s.store.Invite(ctx, r.invite.ID)
		if err != nil {
			return err
		}
		// Only the user's current invitation can be renewed, once: renewing
		// supersedes it, so replaying the old link can't spam the user.
		if err := s.usable(resolved{invite: inv, user: u, org: r.org}); !apperr.Is(err, apperr.InviteExpired) || u.Status != InvitePending {
			if err == nil {
				return apperr.New(apperr.InviteStillValid, "This invitation link is still valid.")
			}
			return err
		}
		_, err = s.issueInvite(ctx, r.org, &u, nil, issue{action: ActionInviteRenewed})
		return err
	})
}
