// Package demo seeds the demo organization: an owner and about thirty
// people in every state a people screen can show, so that frontend teams
// have data on a fresh machine. It never emails anyone.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/people"
)

// The demo organization and its owner.
const (
	Slug       = "demo"
	Name       = "Demo Learning Co"
	OwnerEmail = "owner@demo.example"
)

// Result tells what Seed did.
type Result struct {
	// Created is false when the organization already existed and nothing changed.
	Created bool
	// OwnerPassword is the owner's password, known only on creation.
	OwnerPassword string
	Users         int
}

// Deps are what Seed needs. Store must be the service's store; Seed wraps it
// so that the demo's invitations are recorded but never mailed.
type Deps struct {
	Store  people.Store
	Hasher *auth.Hasher
	Tokens *auth.Tokens
	Signer *auth.InviteSigner
	Now    func() time.Time
}

// person is one demo user and the state to leave them in.
type person struct {
	first, last, email string
	role               people.Role
	perms              []people.Permission
	// invitedDaysAgo places the (last) invitation in the past; > 7 means expired.
	invitedDaysAgo int
	resends        int
	delivery       people.DeliveryStatus
	reason         string
	end            people.Status
}

var cast = []person{
	{"Ada", "Lovelace", "ada.lovelace@example.com", people.Learner, nil, 1, 0, people.DeliveryDelivered, "", people.InvitePending},
	{"Alan", "Turing", "alan.turing@example.com", people.Learner, nil, 2, 1, people.DeliverySent, "", people.InvitePending},
	{"Grace", "Hopper", "grace.hopper@example.com", people.Curator, []people.Permission{people.PermissionPeople}, 3, 0, people.DeliveryDelivered, "", people.InvitePending},
	{"Katherine", "Johnson", "katherine.johnson@exmaple.com", people.Learner, nil, 4, 2, people.DeliveryBounced, "550 5.1.1 The email account that you tried to reach does not exist", people.InvitePending},
	{"Edsger", "Dijkstra", "edsger.dijkstra@gmial.com", people.Learner, nil, 1, 0, people.DeliveryBounced, "550 5.1.1 <edsger.dijkstra@gmial.com>: Recipient address rejected: User unknown", people.InvitePending},
	{"Barbara", "Liskov", "barbara.liskov@corp-firewall.example", people.HR, nil, 2, 3, people.DeliveryBlocked, "554 5.7.1 Service unavailable; Client host blocked using corporate policy", people.InvitePending},
	{"Donald", "Knuth", "donald.knuth@example.org", people.Learner, nil, 5, 0, people.DeliveryDropped, "Bounced Address", people.InvitePending},
	{"Margaret", "Hamilton", "margaret.hamilton@example.org", people.Learner, nil, 1, 0, people.DeliveryDeferred, "421 4.7.0 Try again later, closing connection", people.InvitePending},
	{"Ken", "Thompson", "ken.thompson@example.net", people.Learner, nil, 3, 0, people.DeliverySpamReport, "", people.InvitePending},
	{"Frances", "Allen", "frances.allen@example.net", people.Learner, nil, 2, 0, people.DeliveryFailed, "The from address does not match a verified Sender Identity", people.InvitePending},
	{"John", "Backus", "john.backus@example.com", people.Learner, nil, 12, 0, people.DeliveryDelivered, "", people.InvitePending},
	{"Radia", "Perlman", "radia.perlman@example.com", people.Curator, nil, 10, 1, people.DeliveryDelivered, "", people.InvitePending},
	{"Dennis", "Ritchie", "dennis.ritchie@hotmial.com", people.Learner, nil, 9, 0, people.DeliveryBounced, "550 No such user here", people.InvitePending},
	{"Shafi", "Goldwasser", "shafi.goldwasser@example.com", people.Learner, nil, 0, 0, people.DeliveryQueued, "", people.InvitePending},
	{"Leslie", "Lamport", "leslie.lamport@example.com", people.Admin, nil, 30, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Hedy", "Lamarr", "hedy.lamarr@example.com", people.HR, nil, 25, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Tim", "Berners-Lee", "tim.berners-lee@example.com", people.Curator, []people.Permission{people.PermissionPeople}, 20, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Sophie", "Wilson", "sophie.wilson@example.com", people.Curator, nil, 18, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Niklaus", "Wirth", "niklaus.wirth@example.com", people.Learner, nil, 15, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Annie", "Easley", "annie.easley@example.com", people.Learner, nil, 14, 1, people.DeliveryBounced, "550 mailbox unavailable", people.Confirmed},
	{"Vint", "Cerf", "vint.cerf@example.com", people.Learner, nil, 13, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Karen", "Sparck Jones", "karen.sparckjones@example.com", people.Learner, nil, 11, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Bjarne", "Stroustrup", "bjarne.stroustrup@example.com", people.Learner, nil, 9, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Joan", "Clarke", "joan.clarke@example.com", people.Learner, nil, 8, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Guido", "van Rossum", "guido.vanrossum@example.com", people.Learner, nil, 6, 0, people.DeliveryDelivered, "", people.Confirmed},
	{"Mary", "Kenneth Keller", "mary.keller@example.com", people.Learner, nil, 40, 0, people.DeliveryDelivered, "", people.Deactivated},
	{"Charles", "Babbage", "charles.babbage@example.com", people.Learner, nil, 35, 2, people.DeliveryBounced, "550 5.1.1 user unknown", people.Deactivated},
	{"Evelyn", "Boyd Granville", "evelyn.granville@example.com", people.HR, nil, 28, 0, people.DeliveryDelivered, "", people.Deactivated},
	{"Claude", "Shannon", "claude.shannon@example.com", people.Learner, nil, 0, 0, "", "", people.Deactivated},
}

// Seed creates the demo organization unless it exists.
func Seed(ctx context.Context, d Deps) (Result, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	quiet := silentStore{Store: d.Store}
	if _, err := d.Store.OrganizationBySlug(ctx, Slug); err == nil {
		return Result{}, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return Result{}, err
	}
	c := clock{now: d.Now().UTC(), d: d, store: quiet}
	at := c.at
	password := auth.GeneratePassword()
	_, owner, err := at(60).CreateOrganization(ctx, people.NewOrganization{Slug: Slug, Name: Name,
		OwnerEmail: OwnerEmail, OwnerFirst: "Olivia", OwnerLast: "Owner", OwnerPassword: password})
	if err != nil {
		return Result{}, fmt.Errorf("create demo organization: %w", err)
	}
	ownerActor := people.Actor{User: owner}
	for i, p := range cast {
		if err := c.seedPerson(ctx, ownerActor, i, p); err != nil {
			return Result{}, fmt.Errorf("seed %s: %w", p.email, err)
		}
	}
	return Result{Created: true, OwnerPassword: password, Users: len(cast) + 1}, nil
}

// clock runs the service at chosen days in the past, so that invitations
// carry realistic ages and some have expired.
type clock struct {
	now   time.Time
	d     Deps
	store people.Store
}

func (c clock) ago(days int) time.Time { return c.now.Add(-time.Duration(days) * 24 * time.Hour) }

func (c clock) at(days int) *people.Service {
	return people.NewService(people.Deps{Store: c.store, Hasher: c.d.Hasher, Tokens: c.d.Tokens, Signer: c.d.Signer,
		Now: func() time.Time { return c.ago(days) }})
}

func (c clock) seedPerson(ctx context.Context, owner people.Actor, i int, p person) error {
	at, st := c.at, c.store
	start := p.invitedDaysAgo + p.resends
	svc := at(start)
	u, err := svc.CreateUser(ctx, owner, people.NewUser{Email: p.email, FirstName: p.first, LastName: p.last,
		Role: p.role, Permissions: p.perms, NoInvite: p.delivery == ""})
	if err != nil {
		return err
	}
	for r := 1; r <= p.resends; r++ {
		// Earlier invitations of a resent user: the first ones bounced or were never opened.
		if u.Invite != nil {
			if err := deliver(ctx, st, u.Invite.ID, p.delivery, p.reason, c.ago(start-r+1)); err != nil {
				return err
			}
		}
		inv, _, err := at(start-r).ResendInvite(ctx, owner, u.ID, people.InviteOptions{})
		if err != nil {
			return err
		}
		u.Invite = &inv
	}
	if u.Invite != nil {
		if err := deliver(ctx, st, u.Invite.ID, p.delivery, p.reason, c.ago(p.invitedDaysAgo)); err != nil {
			return err
		}
	}
	settle := at(max(p.invitedDaysAgo-1, 0))
	switch p.end {
	case people.InvitePending:
	case people.Confirmed, people.Deactivated:
		if p.delivery != "" || p.end == people.Confirmed {
			if _, _, err := settle.SetPassword(ctx, owner, u.ID, people.NewPassword{Generate: true, Permanent: i%3 != 0}); err != nil {
				return err
			}
		}
		if p.end == people.Deactivated {
			if _, err := settle.Deactivate(ctx, owner, u.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliver records the provider's answers about an invite as if they had
// come from the email provider.
func deliver(ctx context.Context, st people.Store, inviteID uuid.UUID, status people.DeliveryStatus, reason string, at time.Time) error {
	if status == "" || status == people.DeliveryQueued {
		return nil
	}
	if status == people.DeliveryFailed {
		return st.RecordSendAttempt(ctx, inviteID, people.SendAttempt{At: at, Failed: true, Reason: reason})
	}
	sentAt := at.Add(2 * time.Second)
	if err := st.RecordSendAttempt(ctx, inviteID, people.SendAttempt{At: sentAt, Sent: true, MessageID: "demo-" + inviteID.String()}); err != nil {
		return err
	}
	if status == people.DeliverySent {
		return nil
	}
	eventAt := sentAt.Add(40 * time.Second)
	_, err := st.ApplyDeliveryEvent(ctx, people.DeliveryEvent{EventID: "demo-" + inviteID.String() + "-" + string(status),
		InviteID: &inviteID, Event: string(status), Status: status, Reason: reason, OccurredAt: eventAt, ReceivedAt: eventAt})
	return err
}

// silentStore records invitations without queueing their emails: the demo's
// people are fictional and must never be mailed, even with SendGrid set up.
type silentStore struct{ people.Store }

func (silentStore) EnqueueInviteEmail(context.Context, people.Invite) error { return nil }

func (silentStore) EnqueueInviteBatch(context.Context, []uuid.UUID) error { return nil }
