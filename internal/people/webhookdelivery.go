package people

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/webhooks"
)

// Defaults of delivery.
const (
	defaultParallel = 16
	defaultLease    = time.Minute
	// deliverBudget is how long one run delivers to an endpoint before it
	// gives its worker to another endpoint's run and queues its own next one.
	deliverBudget = 20 * time.Second
	// waitInRun is the longest wait for a retry a run sits out itself
	// instead of leaving it to a scheduled run.
	waitInRun = 5 * time.Second
	// roundSize is how many times Parallel one round takes on: its
	// attempts are recorded together, in one transaction. Each round also
	// looks at the queue and renews the lease, so a round of 256 costs a
	// bulk job's deliveries a quarter of the statements a round of 64 did
	// (BENCHMARKS.md, Outbound webhooks).
	roundSize = 16
	// roundDispatch is how long a round starts requests: what it has not
	// started by then waits for the next round. With the requests' own
	// timeout it bounds a round, which must end within the lease (and the
	// run within its job's timeout) whatever the receiver does.
	roundDispatch = 15 * time.Second
)

// fixedBackoff waits the same each time: the schedule of a service built
// without one (the wiring gives production's).
type fixedBackoff time.Duration

func (b fixedBackoff) Delay(int) time.Duration { return time.Duration(b) }

func (d WebhookDeps) withDefaults() WebhookDeps {
	if d.Parallel <= 0 {
		d.Parallel = defaultParallel
	}
	if d.Lease <= 0 {
		d.Lease = defaultLease
	}
	if d.Backoff == nil {
		d.Backoff = fixedBackoff(5 * time.Second)
	}
	return d
}

// DeliveryRun is what one run of DeliverWebhooks leaves to do.
type DeliveryRun struct {
	// Again: deliveries are due now, but the run's time was up.
	Again bool
	// Pending: a delivery waits for a retry, the first in Next.
	Pending bool
	Next    time.Duration
}

// DeliverWebhooks sends an endpoint's due deliveries, a batch of parallel
// requests at a time, until none is due or the run's time is up.
//
// One deliverer at a time works on an endpoint (a lease in the database),
// so that one user's events reach it in order: a delivery goes out only
// when every earlier one for the same user has succeeded or was given up,
// also while earlier ones wait for a retry. Runs for other endpoints are
// independent of this one, however slow it is. A run that finds the lease
// taken returns at once: the holder delivers what is due. To never strand
// a delivery, the holder looks again after releasing the lease, and takes
// it back if something became due meanwhile.
func (s *Service) DeliverWebhooks(ctx context.Context, endpointID uuid.UUID) (DeliveryRun, error) {
	token := newID().String()
	deadline := time.Now().Add(deliverBudget)
	for {
		ep, ok, err := s.acquireLease(ctx, endpointID, token)
		if err != nil || !ok {
			return DeliveryRun{}, err
		}
		err = s.deliverLeased(ctx, ep, token, deadline)
		// Released even when the run is cancelled, so that the next run need not wait for the lease to expire.
		if rerr := s.store.ReleaseWebhookLease(context.WithoutCancel(ctx), endpointID, token); err == nil {
			err = rerr
		}
		if err != nil {
			return DeliveryRun{}, err
		}
		queue, err := s.store.DueWebhookDeliveries(ctx, endpointID, s.now(), 1)
		if err != nil {
			return DeliveryRun{}, err
		}
		if len(queue.Due) == 0 {
			if queue.Next == nil {
				return DeliveryRun{}, nil
			}
			return DeliveryRun{Pending: true, Next: max(queue.Next.Sub(s.now()), 0)}, nil
		}
		if time.Now().After(deadline) {
			return DeliveryRun{Again: true}, nil
		}
	}
}

// acquireLease takes or renews the endpoint's lease. A lease is a matter of
// wall-clock time between processes, not of the product's clock: it must
// not lapse because the product's time moved.
func (s *Service) acquireLease(ctx context.Context, endpointID uuid.UUID, token string) (WebhookEndpoint, bool, error) {
	now := time.Now().UTC()
	return s.store.AcquireWebhookLease(ctx, endpointID, token, now.Add(s.webhooks.Lease), now)
}

// deliverLeased delivers rounds while the lease is held and time remains.
func (s *Service) deliverLeased(ctx context.Context, ep WebhookEndpoint, token string, deadline time.Time) error {
	for time.Now().Before(deadline) {
		queue, err := s.store.DueWebhookDeliveries(ctx, ep.ID, s.now(), roundSize*s.webhooks.Parallel)
		if err != nil {
			return err
		}
		if len(queue.Due) == 0 {
			if queue.Next == nil {
				return nil // nothing pending
			}
			wait := queue.Next.Sub(s.now())
			if wait > waitInRun || time.Now().Add(wait).After(deadline) {
				return nil // a scheduled run takes it from here
			}
			select {
			case <-time.After(max(wait, time.Millisecond)):
			case <-ctx.Done():
				return ctx.Err()
			}
		} else if err := s.deliverRound(ctx, &ep, queue.Due); err != nil {
			return err
		}
		var ok bool
		if ep, ok, err = s.acquireLease(ctx, ep.ID, token); err != nil || !ok {
			return err // lost (disabled meanwhile, or the lease ran out): stop
		}
	}
	return nil
}

// outcome is what one attempt's result means for its delivery.
type outcome int

const (
	outcomeSucceeded outcome = iota
	outcomeRetry             // 429, 5xx, timeouts, connection errors
	outcomeFailed            // any other answer: not retried
	outcomeGone              // 410: the receiver wants no more
	outcomeCancelled         // the run was stopped: no attempt happened
)

// classify reads a result by the Standard Webhooks conventions.
func classify(ctx context.Context, r webhooks.Result) outcome {
	switch {
	case r.Err != nil && ctx.Err() != nil:
		return outcomeCancelled
	case r.Err != nil:
		var ue *webhooks.URLError
		if errors.Is(r.Err, webhooks.ErrAddressRefused) || errors.Is(r.Err, webhooks.ErrPayloadTooLarge) || errors.As(r.Err, &ue) {
			return outcomeFailed
		}
		return outcomeRetry
	case r.StatusCode/100 == 2:
		return outcomeSucceeded
	case r.StatusCode == http.StatusGone:
		return outcomeGone
	case r.StatusCode == http.StatusTooManyRequests || r.StatusCode >= 500:
		return outcomeRetry
	default:
		return outcomeFailed
	}
}

// roundGate decides whether a round starts another request: not after
// roundDispatch, nor once the receiver asked to slow down (429,
// Retry-After) or a Parallel's worth of attempts failed without a single
// success, so that a receiver that is down gets a wave of requests, not a
// round's worth, before the endpoint is held back.
type roundGate struct {
	mu                sync.Mutex
	until             time.Time
	parallel          int
	succeeded, failed int
	closed            bool
}

func (g *roundGate) open() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.closed && time.Now().Before(g.until)
}

func (g *roundGate) record(o outcome, r webhooks.Result) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch o {
	case outcomeSucceeded:
		g.succeeded++
	case outcomeCancelled:
		g.closed = true
	default:
		g.failed++
	}
	if o == outcomeGone || r.RetryAfter > 0 || r.StatusCode == http.StatusTooManyRequests ||
		(g.succeeded == 0 && g.failed >= g.parallel) {
		g.closed = true
	}
}

// deliverRound sends due deliveries in parallel and records every attempt
// and what follows from it in one transaction. Deliveries the round did
// not start a request for (roundGate) stay as they were.
func (s *Service) deliverRound(ctx context.Context, ep *WebhookEndpoint, due []WebhookDelivery) error {
	secrets, secretErr := s.signingSecrets(*ep)
	results := make([]webhooks.Result, len(due))
	starts := make([]time.Time, len(due))
	started := make([]bool, len(due))
	gate := &roundGate{until: time.Now().Add(roundDispatch), parallel: s.webhooks.Parallel}
	var wg sync.WaitGroup
	slots := make(chan struct{}, s.webhooks.Parallel) // at most Parallel requests at once
	for i := range due {
		if secretErr != nil {
			starts[i], results[i], started[i] = s.now(), webhooks.Result{Err: secretErr}, true
			continue
		}
		slots <- struct{}{}
		if !gate.open() {
			<-slots
			break
		}
		started[i] = true
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			starts[i] = s.now()
			results[i] = s.webhooks.Sender.Send(ctx, ep.URL, webhooks.Message{ID: due[i].EventID.String(),
				Payload: due[i].Payload, Secrets: secrets})
			gate.record(classify(ctx, results[i]), results[i])
		}()
	}
	wg.Wait()

	now := s.now()
	var (
		attempts             []WebhookAttempt
		updated              []WebhookDelivery
		succeeded, failed    bool
		gone                 bool
		retryAt, rateLimited *time.Time
		lastErr              string
		tried                []string // each attempt's outcome, for the metrics
	)
	for i, d := range due {
		if !started[i] {
			continue // left for the next round
		}
		r := results[i]
		o := classify(ctx, r)
		if o == outcomeCancelled {
			continue // the run stopped mid-request: the delivery is as it was
		}
		d.Attempts++
		a := WebhookAttempt{DeliveryID: d.ID, Number: d.Attempts, StartedAt: starts[i], StatusCode: r.StatusCode,
			Latency: r.Latency, ResponseBody: r.Body, Error: attemptError(r)}
		attempts = append(attempts, a)
		d.LastAttemptAt, d.LastStatus, d.LastError, d.LastLatency = &a.StartedAt, r.StatusCode, a.Error, r.Latency
		if o != outcomeSucceeded {
			failed, lastErr = true, describe(r)
		}
		switch o {
		case outcomeSucceeded:
			succeeded = true
			d.Status, d.NextAttemptAt, d.FinishedAt = WebhookSucceeded, nil, &now
		case outcomeGone:
			// Kept pending: if the endpoint is enabled again, its events resume in order.
			gone = true
			d.NextAttemptAt = &now
		case outcomeFailed:
			d.Status, d.NextAttemptAt, d.FinishedAt = WebhookFailed, nil, &now
		case outcomeRetry:
			next := now.Add(max(s.webhooks.Backoff.Delay(d.Attempts), r.RetryAfter))
			if next.Sub(d.CreatedAt) > DeliveryRetryWindow {
				d.Status, d.NextAttemptAt, d.FinishedAt = WebhookFailed, nil, &now
				d.LastError = fmt.Sprintf("given up after %d attempts over %s: %s", d.Attempts, DeliveryRetryWindow, describe(r))
				break
			}
			d.NextAttemptAt = &next
			retryAt = earliest(retryAt, next)
			if r.RetryAfter > 0 || r.StatusCode == http.StatusTooManyRequests {
				rateLimited = earliest(rateLimited, next)
			}
		case outcomeCancelled:
		}
		if o == outcomeRetry && d.Status == WebhookFailed {
			tried = append(tried, outcomeFailed.String()) // given up
		} else {
			tried = append(tried, o.String())
		}
		updated = append(updated, d)
	}
	if len(attempts) == 0 {
		return nil
	}
	// A rate limit, or a round without a single success, holds the whole
	// endpoint back until its first retry: no point in hammering a
	// receiver that is down or asked to slow down.
	deferTo := rateLimited
	if deferTo == nil && !succeeded {
		deferTo = retryAt
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.RecordWebhookAttempts(ctx, attempts, updated); err != nil {
			return err
		}
		if deferTo != nil {
			if err := s.store.DeferWebhookDeliveries(ctx, ep.ID, *deferTo); err != nil {
				return err
			}
		}
		return s.endpointHealth(ctx, ep, succeeded, failed, gone, lastErr, now)
	})
	if err == nil {
		for _, o := range tried {
			s.metrics.WebhookAttempt(o)
		}
	}
	return err
}

// String names an outcome in the metrics.
func (o outcome) String() string {
	switch o {
	case outcomeSucceeded:
		return "succeeded"
	case outcomeRetry:
		return "retried"
	case outcomeFailed:
		return "failed"
	case outcomeGone:
		return "gone"
	default:
		return "cancelled"
	}
}

func earliest(t *time.Time, u time.Time) *time.Time {
	if t == nil || u.Before(*t) {
		return &u
	}
	return t
}

// endpointHealth keeps track of an endpoint that keeps failing, and
// disables it when it asked to be (410) or failed for EndpointFailureLimit,
// saying why, so that its owners can see it and enable it again.
func (s *Service) endpointHealth(ctx context.Context, ep *WebhookEndpoint, succeeded, failed, gone bool, lastErr string, now time.Time) error {
	changed := false
	switch {
	case succeeded && ep.FailingSince != nil: // it answers: whatever failed was about one event
		ep.FailingSince, changed = nil, true
	case !succeeded && failed && ep.FailingSince == nil:
		ep.FailingSince, changed = &now, true
	}
	var reason DisabledReason
	var detail string
	switch {
	case gone:
		reason, detail = DisabledGone, "The endpoint answered 410 Gone, asking for no more webhooks. Enable it again to resume its deliveries."
	case ep.FailingSince != nil && now.Sub(*ep.FailingSince) >= EndpointFailureLimit:
		reason = DisabledFailing
		detail = fmt.Sprintf("Every delivery since %s failed (the last: %s). Fix the receiver, then enable the endpoint again; pending deliveries resume.",
			ep.FailingSince.UTC().Format(time.RFC3339), lastErr)
	}
	if reason != "" {
		ep.Enabled, ep.DisabledReason, ep.DisabledDetail, ep.DisabledAt, changed = false, reason, detail, &now, true
		s.log.WarnContext(ctx, "webhook endpoint disabled", "endpoint_id", ep.ID, "reason", reason)
	}
	if !changed {
		return nil
	}
	ep.UpdatedAt = now
	if err := s.store.SetWebhookEndpointHealth(ctx, ep); err != nil {
		return err
	}
	if reason == "" {
		return nil
	}
	return s.audit(ctx, ep.OrganizationID, nil, nil, ActionEndpointUpdated, map[string]any{
		"endpoint_id": ep.ID, "enabled": false, "disabled_reason": reason,
	})
}

// attemptError is the recorded reason of an attempt that got no answer.
func attemptError(r webhooks.Result) string {
	if r.Err == nil {
		return ""
	}
	return describe(r)
}

// describe says in a few words what an attempt got.
func describe(r webhooks.Result) string {
	switch {
	case r.Err == nil:
		return fmt.Sprintf("HTTP %d", r.StatusCode)
	case r.Timeout():
		return fmt.Sprintf("no answer within %s", r.Latency.Round(100*time.Millisecond))
	default:
		return r.Err.Error()
	}
}

// signingSecrets opens the endpoint's current secret and, during a
// rotation's overlap, the previous one.
func (s *Service) signingSecrets(ep WebhookEndpoint) ([]string, error) {
	current, err := s.webhooks.Secrets.Open(ep.Secret, ep.ID.String())
	if err != nil {
		return nil, err
	}
	secrets := []string{current}
	if ep.PreviousSecret != "" && ep.PreviousExpiresAt != nil && s.now().Before(*ep.PreviousExpiresAt) {
		if prev, err := s.webhooks.Secrets.Open(ep.PreviousSecret, ep.ID.String()); err == nil {
			secrets = append(secrets, prev)
		}
	}
	return secrets, nil
}

// QueueDueWebhooks queues a delivery run for every endpoint with a
// delivery due: the safety net under the runs each change queues.
func (s *Service) QueueDueWebhooks(ctx context.Context) error {
	ids, err := s.store.EndpointsWithDueDeliveries(ctx, s.now())
	if err != nil || len(ids) == 0 {
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error { return s.store.EnqueueWebhookDeliveries(ctx, ids) })
}
