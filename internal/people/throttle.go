package people

import (
	"strings"
	"sync"
	"time"
)

// throttle backs off repeated failures per account key: after a few free
// failures each further one doubles the wait, up to a cap. Keys that never
// existed are throttled exactly like real ones, so the throttle itself
// reveals nothing. It lives in memory: each replica keeps its own (DESIGN §7).
//
// Memory is bounded by max entries, and no entry that still counts is ever
// dropped to make room, or a spray of made-up keys would wipe the backoff
// of the account under attack. When every entry still counts, keys without
// one share a single overflow entry: the spray is throttled as one client,
// and so, while it lasts, is a first failure of any other account.
type throttle struct {
	mu       sync.Mutex
	now      func() time.Time
	max      int
	entries  map[string]*throttleEntry
	overflow throttleEntry
}

type throttleEntry struct {
	failures int
	until    time.Time
	last     time.Time
}

const (
	freeFailures = 5
	baseBackoff  = time.Second
	maxBackoff   = 15 * time.Minute
	forgetAfter  = time.Hour
	maxEntries   = 100_000
)

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, max: maxEntries, entries: map[string]*throttleEntry{}}
}

// entry is key's entry, or the overflow's when key has none and there is
// no room for one; add makes room by forgetting stale entries if it must.
func (t *throttle) entry(key string, now time.Time, add bool) *throttleEntry {
	if e, ok := t.entries[key]; ok {
		return e
	}
	if len(t.entries) >= t.max {
		if !add {
			return &t.overflow
		}
		t.sweep(now)
		if len(t.entries) >= t.max {
			return &t.overflow
		}
	}
	if !add {
		return nil
	}
	e := &throttleEntry{}
	t.entries[key] = e
	return e
}

// wait returns how long key must wait before its next attempt.
func (t *throttle) wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	e := t.entry(key, now, false)
	if e == nil {
		return 0
	}
	if d := e.until.Sub(now); d > 0 {
		return d.Round(time.Second) + time.Second
	}
	return 0
}

func (t *throttle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	e := t.entry(key, now, true)
	if e.stale(now) {
		*e = throttleEntry{}
	}
	e.failures++
	e.last = now
	if e.failures > freeFailures {
		backoff := baseBackoff << min(e.failures-freeFailures-1, 20)
		e.until = now.Add(min(backoff, maxBackoff))
	}
}

// reset forgets key's failures after a success. The overflow is not
// reset: one account's success says nothing about the spray's.
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}

// stale reports whether an entry no longer counts: its last failure is
// older than forgetAfter and any backoff it imposed is over.
func (e *throttleEntry) stale(now time.Time) bool {
	return now.Sub(e.last) > forgetAfter && !now.Before(e.until)
}

// sweep forgets the entries that no longer count, and only those.
func (t *throttle) sweep(now time.Time) {
	for k, e := range t.entries {
		if e.stale(now) {
			delete(t.entries, k)
		}
	}
}

// normalizeForKey spells an email as it is stored, so that sign-in finds
// and throttles an account whichever spelling of its domain is typed;
// what is not an address is only trimmed and lower-cased.
func normalizeForKey(email string) string {
	if n, fe := NormalizeEmail("email", email); fe == nil {
		return n
	}
	return strings.ToLower(strings.TrimSpace(email))
}
