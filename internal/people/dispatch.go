package people

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/mail"
)

// DeliveryOptions tune how invitation emails are handed to the provider.
// Zero values pick the defaults.
type DeliveryOptions struct {
	// MaxUnconfirmed bounds the recipients this replica has in provider
	// calls whose answer is not on record yet, all calls together. It is
	// the most one call carries and the most a crash of the replica can
	// make the provider send twice: after a crash those recipients are
	// mailed again, since nobody can know whether the provider took them.
	// Default DefaultMaxUnconfirmed, at most mail.MaxBatch.
	MaxUnconfirmed int
	// MaxCalls bounds the provider calls in flight at once. Default 4.
	MaxCalls int
	// Gather is how long a queued email waits for others to share its
	// call. Default 20 ms.
	Gather time.Duration
	// MinTimeLeft is the time a job must have left for its email to join a
	// call: a call must end within its job's timeout, or the queue could
	// take the job for a dead replica's and run it again while its call is
	// in flight. Default 12 s, the provider's timeout and some.
	MinTimeLeft time.Duration
}

// DefaultMaxUnconfirmed is DeliveryOptions.MaxUnconfirmed's default: 100
// calls per 10,000 recipients, at most 100 duplicates after a crash
// (BENCHMARKS.md measures the trade-off).
const DefaultMaxUnconfirmed = 100

func (o DeliveryOptions) withDefaults() DeliveryOptions {
	if o.MaxUnconfirmed <= 0 {
		o.MaxUnconfirmed = DefaultMaxUnconfirmed
	}
	o.MaxUnconfirmed = min(o.MaxUnconfirmed, mail.MaxBatch)
	if o.MaxCalls <= 0 {
		o.MaxCalls = 4
	}
	if o.Gather <= 0 {
		o.Gather = 20 * time.Millisecond
	}
	if o.MinTimeLeft <= 0 {
		o.MinTimeLeft = 12 * time.Second
	}
	return o
}

// errNoTimeLeft answers a job that waited so long for its turn that a
// call could outlive it: the job goes back to the queue, which is no
// failure (see Wait).
var errNoTimeLeft error = Wait{Reason: "the email waited for its turn until its job had too little time left for a provider call"}

// Wait is an outcome that is no failure: the email must wait and be
// tried again later, without using up one of its job's attempts.
type Wait struct {
	// After is how long to wait; zero means as soon as the queue can.
	After  time.Duration
	Reason string
}

func (w Wait) Error() string { return "delivery: wait: " + w.Reason }

// WaitFor tells the queue how long the job should wait.
func (w Wait) WaitFor() time.Duration { return w.After }

// dispatcher gathers the invitation emails that jobs hand it and sends
// them in as few provider calls as it can: the emails queued within a
// short window that share an organization and an inviter go in one call
// of up to MaxUnconfirmed recipients, each with their own link. Calls wait
// for room within MaxUnconfirmed and MaxCalls, taking turns between
// organizations, so that one organization's burst never holds up another's
// mail. Every email is answered to its own job: one recipient's refusal or
// a rate limit reaches only the jobs it concerns.
//
// The scheduling is written here rather than with a semaphore package
// because the turns between organizations are the point: a first-come
// semaphore would serve a burst before everyone else.
type dispatcher struct {
	s    *Service
	opts DeliveryOptions

	mu       sync.Mutex
	pending  []*parcel             // handed in, waiting for the gather window to close
	timer    *time.Timer           // closes the gather window; nil while nothing is pending
	inFlight map[uuid.UUID]*letter // emails taken from pending until answered
	ready    map[uuid.UUID][]*call // calls waiting for room, per organization
	turns    []uuid.UUID           // organizations with calls ready, in turn order
	sending  int                   // recipients in calls under way
	calls    int                   // calls under way
}

func newDispatcher(s *Service, opts DeliveryOptions) *dispatcher {
	return &dispatcher{s: s, opts: opts.withDefaults(), inFlight: map[uuid.UUID]*letter{}, ready: map[uuid.UUID][]*call{}}
}

// parcel is one job's request to send one invitation's email.
type parcel struct {
	inviteID uuid.UUID
	ctx      context.Context
	done     chan error // receives the outcome exactly once
	taken    bool       // out of pending; guarded by dispatcher.mu
	gone     bool       // withdrawn by its job before being taken; guarded by dispatcher.mu
}

// letter is one email of a call: an invite, its user, and the parcels
// waiting for it (more than one when a job ran twice).
type letter struct {
	id      uuid.UUID
	invite  Invite
	user    User
	parcels []*parcel
}

// call is one provider request in the making: letters of one
// organization and inviter in one language.
type call struct {
	org     Organization
	inviter string
	locale  string
	letters []*letter
}

// deliver hands the emails of inviteIDs to the dispatcher and waits for
// each one's outcome; errs[i] is the outcome of inviteIDs[i]. An email that
// must not go out (no longer live, already accepted by the provider)
// succeeds without a call.
func (d *dispatcher) deliver(ctx context.Context, inviteIDs []uuid.UUID) []error {
	parcels := make([]*parcel, len(inviteIDs))
	d.mu.Lock()
	for i, id := range inviteIDs {
		parcels[i] = &parcel{inviteID: id, ctx: ctx, done: make(chan error, 1)}
	}
	d.pending = append(d.pending, parcels...)
	switch {
	case len(d.pending) >= d.opts.MaxUnconfirmed:
		// A full call's worth is waiting: gathering longer saves nothing.
		d.stopTimer()
		go d.flush()
	case d.timer == nil:
		d.timer = time.AfterFunc(d.opts.Gather, d.flush)
	}
	d.mu.Unlock()

	errs := make([]error, len(parcels))
	for i, p := range parcels {
		errs[i] = d.await(p)
	}
	return errs
}

// await waits for a parcel's outcome. A job that ends (shutdown, timeout)
// before its email was taken withdraws it; once taken, the outcome comes
// soon anyway, since a call whose jobs have all ended is cut short.
func (d *dispatcher) await(p *parcel) error {
	select {
	case err := <-p.done:
		return err
	case <-p.ctx.Done():
	}
	d.mu.Lock()
	if !p.taken {
		p.gone = true
		d.mu.Unlock()
		return p.ctx.Err()
	}
	d.mu.Unlock()
	return <-p.done
}

func (d *dispatcher) stopTimer() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

// flush closes the gather window: it takes every pending email, reads
// what the calls need, and queues the calls.
func (d *dispatcher) flush() {
	d.mu.Lock()
	d.stopTimer()
	pending := d.pending
	d.pending = nil
	var (
		fresh []*letter
		base  context.Context
	)
	for _, p := range pending {
		if p.gone {
			continue
		}
		p.taken = true
		if l, ok := d.inFlight[p.inviteID]; ok {
			// The same email is already under way (a job rescued while it
			// still ran): it waits for that call rather than go twice.
			l.parcels = append(l.parcels, p)
			continue
		}
		l := &letter{id: p.inviteID, parcels: []*parcel{p}}
		d.inFlight[p.inviteID] = l
		fresh = append(fresh, l)
		if base == nil {
			base = p.ctx
		}
	}
	d.mu.Unlock()
	if len(fresh) == 0 {
		return
	}
	// The reads keep the first job's values (its logger, its request) but
	// not its cancellation: they serve every job of the window.
	calls := d.prepare(context.WithoutCancel(base), fresh)
	d.mu.Lock()
	for _, c := range calls {
		d.enqueue(c)
	}
	d.pump()
	d.mu.Unlock()
}

// prepare reads the invites of letters, their users and organizations,
// answers the emails that must not go out, and groups the rest into calls
// by organization, inviter and language.
func (d *dispatcher) prepare(ctx context.Context, letters []*letter) []*call {
	s := d.s
	ids := make([]uuid.UUID, len(letters))
	for i, l := range letters {
		ids[i] = l.id
	}
	fail := func(ls []*letter, err error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		for _, l := range ls {
			d.settle(l, err)
		}
	}
	// One read for the invites and their users: an email goes out only as
	// its user's latest invitation (R3), so the user's row with its latest
	// invite holds all the dispatcher needs.
	users, err := s.store.DeliveryRecipients(ctx, ids)
	if err != nil {
		fail(letters, err)
		return nil
	}
	latest := make(map[uuid.UUID]User, len(users)) // invite id → its user, whose latest it is
	for _, u := range users {
		if u.Invite != nil {
			latest[u.Invite.ID] = u
		}
	}
	type key struct {
		org, inviter uuid.UUID
		locale       string
	}
	var (
		order  []key
		groups = map[key][]*letter{}
		skip   []*letter
		now    = s.now()
	)
	for _, l := range letters {
		u, ok := latest[l.id]
		if !ok {
			// Superseded by a newer invitation, or deleted with its user.
			s.log.InfoContext(ctx, "invite email not sent: it is not the user's latest invitation", "invite_id", l.id)
			skip = append(skip, l)
			continue
		}
		inv := *u.Invite
		switch {
		case undeliverable(inv, u, now) != "":
			s.log.InfoContext(ctx, "invite email not sent: "+undeliverable(inv, u, now), "invite_id", inv.ID, "state", inv.State(now))
			skip = append(skip, l)
			continue
		case inv.Delivery.Status == DeliverySending:
			s.log.WarnContext(ctx, "invite email sent again: the answer to an earlier attempt was never recorded", "invite_id", inv.ID)
		}
		l.invite, l.user = inv, u
		k := key{org: inv.OrganizationID, locale: u.Locale}
		if inv.CreatedBy != nil {
			k.inviter = *inv.CreatedBy
		}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], l)
	}
	fail(skip, nil)

	var calls []*call
	orgs := map[uuid.UUID]Organization{}
	for _, k := range order {
		group := groups[k]
		org, ok := orgs[k.org]
		if !ok {
			if org, err = s.store.OrganizationByID(ctx, k.org); err != nil {
				fail(group, err)
				continue
			}
			orgs[k.org] = org
		}
		inviter := ""
		if k.inviter != uuid.Nil {
			if u, err := s.store.User(ctx, org.ID, k.inviter); err == nil {
				inviter = u.FullName()
			}
		}
		for start := 0; start < len(group); start += d.opts.MaxUnconfirmed {
			calls = append(calls, &call{org: org, inviter: inviter, locale: k.locale,
				letters: group[start:min(start+d.opts.MaxUnconfirmed, len(group))]})
		}
	}
	return calls
}

// enqueue adds c to its organization's calls. d.mu must be held.
func (d *dispatcher) enqueue(c *call) {
	d.s.log.Debug("invite emails waiting for a provider call", "organization_id", c.org.ID, "recipients", len(c.letters))
	if len(d.ready[c.org.ID]) == 0 {
		d.turns = append(d.turns, c.org.ID)
	}
	d.ready[c.org.ID] = append(d.ready[c.org.ID], c)
}

// pump starts the calls there is room for, one organization after the
// other. A call that does not fit waits for room, and the calls behind it
// with it: otherwise a large call could wait forever behind small ones.
// d.mu must be held.
func (d *dispatcher) pump() {
	for len(d.turns) > 0 && d.calls < d.opts.MaxCalls {
		org := d.turns[0]
		c := d.ready[org][0]
		c.letters = d.stillWanted(c.letters)
		if len(c.letters) == 0 {
			d.next(org)
			continue
		}
		if d.sending+len(c.letters) > d.opts.MaxUnconfirmed {
			return
		}
		d.next(org)
		d.sending += len(c.letters)
		d.calls++
		go d.run(c)
	}
}

// next takes org's first call off its queue and gives the turn to the
// next organization. d.mu must be held.
func (d *dispatcher) next(org uuid.UUID) {
	d.ready[org] = d.ready[org][1:]
	d.turns = d.turns[1:]
	if len(d.ready[org]) > 0 {
		d.turns = append(d.turns, org)
	} else {
		delete(d.ready, org)
	}
}

// stillWanted drops the letters whose jobs have all ended and answers
// those whose jobs have too little time left for a call. d.mu must be held.
func (d *dispatcher) stillWanted(letters []*letter) []*letter {
	now := time.Now()
	kept := letters[:0]
	for _, l := range letters {
		alive, latest := false, time.Time{}
		for _, p := range l.parcels {
			if p.ctx.Err() != nil {
				continue
			}
			alive = true
			if dl, ok := p.ctx.Deadline(); !ok {
				latest = now.Add(time.Hour)
			} else if dl.After(latest) {
				latest = dl
			}
		}
		switch {
		case !alive:
			for _, p := range l.parcels {
				p.done <- p.ctx.Err()
			}
			l.parcels = nil
			d.settle(l, nil)
		case latest.Sub(now) < d.opts.MinTimeLeft:
			d.settle(l, errNoTimeLeft)
		default:
			kept = append(kept, l)
		}
	}
	return kept
}

// settle answers every parcel of l with err and forgets l. d.mu must be
// held.
func (d *dispatcher) settle(l *letter, err error) {
	if d.inFlight[l.id] == l {
		delete(d.inFlight, l.id)
	}
	for _, p := range l.parcels {
		p.done <- err
	}
	l.parcels = nil
}

// run makes call c, answers its letters and makes room for the next calls.
func (d *dispatcher) run(c *call) {
	ctx, cancel := d.callContext(c)
	defer cancel()
	results := d.s.send(ctx, c)
	d.mu.Lock()
	for i, l := range c.letters {
		d.settle(l, results[i])
	}
	d.sending -= len(c.letters)
	d.calls--
	d.pump()
	d.mu.Unlock()
}

// callContext is the context of a call: it keeps the values of the first
// job's context and ends when every job waiting for the call has ended,
// so that a shutdown cuts the call short instead of waiting out the
// provider, while one job's timeout does not cut the call for the others.
func (d *dispatcher) callContext(c *call) (context.Context, context.CancelFunc) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var parcels []*parcel
	for _, l := range c.letters {
		parcels = append(parcels, l.parcels...)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(parcels[0].ctx))
	var left atomic.Int64
	left.Store(int64(len(parcels)))
	stops := make([]func() bool, 0, len(parcels))
	for _, p := range parcels {
		stops = append(stops, context.AfterFunc(p.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		}))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
