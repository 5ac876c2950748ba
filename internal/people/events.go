package people

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
)

// Webhook events are recorded by one hook: every change the service makes
// is audited, and the audit helper names the events its action causes
// (eventsOf). The events wait in the transaction until its work is done,
// and then, just before it commits, are written to the outbox with the
// users, invitations and jobs as the transaction left them — so an event
// exists exactly when its change does, and carries what a GET right after
// the change returns. Changes that are not actions of a person (a
// provider's delivery report, a job finishing) call emit directly.

// pendingEvent is an event a transaction will record.
type pendingEvent struct {
	org    uuid.UUID
	typ    EventType
	user   *uuid.UUID
	invite *uuid.UUID // nil: the user's latest invitation
	job    *uuid.UUID
	// changed lists the fields of a user.updated.
	changed []string
}

type pendingEvents struct{ list []pendingEvent }

type pendingKey struct{}

// eventingStore is the service's store with transactions that record the
// events of the changes made in them.
type eventingStore struct {
	Store
	s *Service
}

// InTx runs fn in a transaction that records fn's events before it
// commits. Nested, it is a savepoint whose events go if it rolls back.
func (t eventingStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if p, nested := ctx.Value(pendingKey{}).(*pendingEvents); nested {
		mark := len(p.list)
		err := t.Store.InTx(ctx, fn)
		if err != nil {
			p.list = p.list[:mark]
		}
		return err
	}
	p := &pendingEvents{}
	return t.Store.InTx(context.WithValue(ctx, pendingKey{}, p), func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		return t.s.recordEvents(ctx, p.list)
	})
}

// emit adds an event to the transaction in ctx. A user's several edits in
// one transaction make one user.updated naming every changed field.
func (s *Service) emit(ctx context.Context, e pendingEvent) error {
	p, ok := ctx.Value(pendingKey{}).(*pendingEvents)
	if !ok {
		return apperr.Internal("record webhook event", errors.New("a change that causes a webhook event was made outside a transaction"))
	}
	if e.typ == EventUserUpdated {
		for i := range p.list {
			if q := &p.list[i]; q.typ == EventUserUpdated && *q.user == *e.user {
				for _, f := range e.changed {
					if !slices.Contains(q.changed, f) {
						q.changed = append(q.changed, f)
					}
				}
				return nil
			}
		}
	}
	p.list = append(p.list, e)
	return nil
}

// eventsOf names the events an audited action causes, in the order a
// receiver gets them.
func eventsOf(action string, meta map[string]any) []EventType {
	revoked := count(meta["invites_revoked"]) > 0
	switch action {
	case ActionUserCreated:
		return []EventType{EventUserCreated}
	case ActionUserUpdated, ActionRoleChanged:
		return []EventType{EventUserUpdated}
	case ActionEmailChanged:
		return withIf([]EventType{EventUserUpdated}, revoked, EventInviteRevoked)
	case ActionInviteSent:
		return []EventType{EventInviteSent}
	case ActionInviteResent, ActionInviteRenewed:
		return []EventType{EventInviteResent}
	case ActionInviteLinkIssued: // a fresh invitation, its link handed over instead of mailed
		if count(meta["sequence"]) == 1 {
			return []EventType{EventInviteSent}
		}
		return []EventType{EventInviteResent}
	case ActionInviteAccepted:
		return []EventType{EventInviteAccepted, EventUserConfirmed}
	case ActionInviteRevoked:
		return []EventType{EventInviteRevoked}
	case ActionInviteExpired:
		return []EventType{EventInviteExpired}
	case ActionInviteReminded:
		return []EventType{EventInviteReminded}
	case ActionPasswordSet:
		events := []EventType{EventUserPasswordSet}
		events = withIf(events, meta["previous_status"] == InvitePending, EventUserConfirmed)
		return withIf(events, revoked, EventInviteRevoked)
	case ActionUserDeactivated:
		return withIf([]EventType{EventUserDeactivated}, revoked, EventInviteRevoked)
	case ActionUserReactivated:
		return []EventType{EventUserReactivated}
	default:
		return nil
	}
}

func withIf(events []EventType, cond bool, e EventType) []EventType {
	if cond {
		return append(events, e)
	}
	return events
}

func count(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	default:
		return 0
	}
}

// emitFor adds the events of an audited action on a user.
func (s *Service) emitFor(ctx context.Context, org uuid.UUID, target *uuid.UUID, action string, meta map[string]any) error {
	types := eventsOf(action, meta)
	if len(types) == 0 || target == nil {
		return nil
	}
	var invite *uuid.UUID
	if id, ok := meta["invite_id"].(uuid.UUID); ok {
		invite = &id
	}
	var changed []string
	if fs, ok := meta["fields"].([]string); ok {
		changed = fs
	}
	switch action {
	case ActionEmailChanged:
		changed = []string{"email"}
	case ActionRoleChanged:
		changed = []string{"role", "permissions"}
	}
	for _, t := range types {
		e := pendingEvent{org: org, typ: t, user: target}
		switch {
		case t == EventUserUpdated:
			e.changed = changed
		case isInviteEvent(t):
			e.invite = invite
		}
		if err := s.emit(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func isInviteEvent(t EventType) bool {
	switch t {
	case EventInviteSent, EventInviteResent, EventInviteRevoked, EventInviteAccepted, EventInviteExpired, EventInviteReminded,
		EventInviteDeliveryUpdated:
		return true
	default:
		return false
	}
}

// recordEvents writes a transaction's events to the outbox, one delivery
// per subscribed enabled endpoint, and queues the endpoints' delivery.
// Events no endpoint wants are not recorded at all.
func (s *Service) recordEvents(ctx context.Context, pending []pendingEvent) error {
	if len(pending) == 0 {
		return nil
	}
	var orgs []uuid.UUID
	for _, e := range pending {
		if !slices.Contains(orgs, e.org) {
			orgs = append(orgs, e.org)
		}
	}
	for _, org := range orgs {
		if err := s.recordOrgEvents(ctx, org, pending); err != nil {
			return err
		}
	}
	return nil
}

// noEndpointsKey marks a request whose organization had no webhook
// endpoint when the request was authenticated (withoutEndpoints).
type noEndpointsKey struct{}

// withoutEndpoints spares a request's transaction the read of its
// organization's endpoints when Authenticate found none. It loses no
// event an endpoint is owed: an endpoint's creation commits before its
// response, so one created before this request began was already there
// when Authenticate looked; one created since is concurrent with the
// request, which may as well have committed before it.
func withoutEndpoints(ctx context.Context, actor Actor) context.Context {
	if actor.request == nil || actor.request.WebhookEndpoints {
		return ctx
	}
	return context.WithValue(ctx, noEndpointsKey{}, actor.OrganizationID)
}

func (s *Service) recordOrgEvents(ctx context.Context, org uuid.UUID, pending []pendingEvent) error {
	if none, ok := ctx.Value(noEndpointsKey{}).(uuid.UUID); ok && none == org {
		return nil
	}
	all, err := s.store.ListWebhookEndpoints(ctx, org)
	if err != nil {
		return err
	}
	var endpoints []WebhookEndpoint
	for _, ep := range all {
		if ep.Enabled {
			endpoints = append(endpoints, ep)
		}
	}
	var wanted []pendingEvent
	var userIDs []uuid.UUID
	for _, e := range pending {
		if e.org != org || !slices.ContainsFunc(endpoints, func(ep WebhookEndpoint) bool { return ep.Wants(e.typ) }) {
			continue
		}
		wanted = append(wanted, e)
		if e.user != nil && !slices.Contains(userIDs, *e.user) {
			userIDs = append(userIDs, *e.user)
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	subjects, err := s.eventSubjects(ctx, org, wanted, userIDs)
	if err != nil {
		return err
	}
	now := s.now()
	events := make([]WebhookEvent, 0, len(wanted))
	var deliveries []WebhookDelivery
	var queued []uuid.UUID
	for _, e := range wanted {
		ev := WebhookEvent{ID: newID(), OrganizationID: org, Type: e.typ, CreatedAt: now}
		data, ok := subjects.data(s, e, now)
		if !ok {
			continue // its user was deleted in the same transaction: nothing to describe
		}
		ev.Payload = eventBody(ev, data)
		events = append(events, ev)
		for _, ep := range endpoints {
			if !ep.Wants(e.typ) {
				continue
			}
			deliveries = append(deliveries, newDelivery(ev, ep.ID, e.user, now))
			if !slices.Contains(queued, ep.ID) {
				queued = append(queued, ep.ID)
			}
		}
	}
	if err := s.store.AddWebhookEvents(ctx, events, deliveries); err != nil {
		return err
	}
	return s.store.EnqueueWebhookDeliveries(ctx, queued)
}

func newDelivery(ev WebhookEvent, endpoint uuid.UUID, key *uuid.UUID, now time.Time) WebhookDelivery {
	return WebhookDelivery{ID: newID(), OrganizationID: ev.OrganizationID, EndpointID: endpoint, EventID: ev.ID,
		EventType: ev.Type, OrderingKey: key, Status: WebhookPending, NextAttemptAt: &now, CreatedAt: now}
}

// subjects are the records a transaction's events describe, read once
// for all of them.
type subjects struct {
	users   map[uuid.UUID]User
	invites map[uuid.UUID]Invite
	jobs    map[uuid.UUID]Job
}

func (s *Service) eventSubjects(ctx context.Context, org uuid.UUID, events []pendingEvent, userIDs []uuid.UUID) (subjects, error) {
	sub := subjects{users: map[uuid.UUID]User{}, invites: map[uuid.UUID]Invite{}, jobs: map[uuid.UUID]Job{}}
	if len(userIDs) > 0 {
		users, err := s.store.UsersByID(ctx, org, userIDs)
		if err != nil {
			return sub, err
		}
		for _, u := range users {
			sub.users[u.ID] = u
			if u.Invite != nil {
				sub.invites[u.Invite.ID] = *u.Invite
			}
		}
	}
	var inviteIDs []uuid.UUID
	for _, e := range events {
		if e.invite != nil {
			if _, ok := sub.invites[*e.invite]; !ok && !slices.Contains(inviteIDs, *e.invite) {
				inviteIDs = append(inviteIDs, *e.invite)
			}
		}
		if e.job != nil {
			if _, ok := sub.jobs[*e.job]; !ok {
				j, err := s.store.Job(ctx, org, *e.job)
				if err != nil {
					return sub, err
				}
				sub.jobs[j.ID] = j
			}
		}
	}
	if len(inviteIDs) > 0 {
		invites, err := s.store.InvitesByID(ctx, inviteIDs)
		if err != nil {
			return sub, err
		}
		for _, inv := range invites {
			sub.invites[inv.ID] = inv
		}
	}
	return sub, nil
}

// data is the JSON of an event's data member.
func (sub subjects) data(s *Service, e pendingEvent, now time.Time) ([]byte, bool) {
	v := s.webhooks.Views
	b := make([]byte, 0, 2048)
	if e.job != nil {
		j, ok := sub.jobs[*e.job]
		if !ok {
			return nil, false
		}
		b = append(b, `{"job":`...)
		return append(v.AppendJob(b, j), '}'), true
	}
	u, ok := sub.users[*e.user]
	if !ok {
		return nil, false
	}
	b = append(b, '{')
	if isInviteEvent(e.typ) {
		var inv Invite
		switch {
		case e.invite != nil:
			inv, ok = sub.invites[*e.invite]
		case u.Invite != nil:
			inv, ok = *u.Invite, true
		default:
			ok = false
		}
		if !ok {
			return nil, false
		}
		b = append(b, `"invite":`...)
		b = v.AppendInvite(b, inv, now)
		b = append(b, ',')
	}
	b = append(b, `"user":`...)
	b = v.AppendUser(b, u, now)
	if e.typ == EventUserUpdated {
		b = append(b, `,"changed":[`...)
		for i, f := range e.changed {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, f) // field names are plain ASCII identifiers
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

// eventBody is the JSON body of a webhook. Built by hand around the data:
// its members are ids, a type and a time, which need no escaping, and the
// data is already JSON.
func eventBody(ev WebhookEvent, data []byte) []byte {
	b := make([]byte, 0, len(data)+200)
	b = append(b, `{"id":"`...)
	b = append(b, ev.ID.String()...)
	b = append(b, `","type":"`...)
	b = append(b, ev.Type...)
	b = append(b, `","created_at":"`...)
	b = ev.CreatedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","organization_id":"`...)
	b = append(b, ev.OrganizationID.String()...)
	b = append(b, `","data":`...)
	b = append(b, data...)
	return append(b, '}')
}
