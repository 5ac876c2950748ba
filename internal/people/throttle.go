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
type throttle struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]*throttleEntry
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
	return &throttle{now: now, entries: map[string]*throttleEntry{}}
}

// wait returns how long key must wait before its next attempt.
func (t *throttle) wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[key]
	if !ok {
		return 0
	}
	if d := e.until.Sub(t.now()); d > 0 {
		return d.Round(time.Second) + time.Second
	}
	return 0
}

func (t *throttle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.entries) >= maxEntries {
		t.sweep(now)
	}
	e, ok := t.entries[key]
	if !ok || now.Sub(e.last) > forgetAfter {
		e = &throttleEntry{}
		t.entries[key] = e
	}
	e.failures++
	e.last = now
	if e.failures > freeFailures {
		backoff := baseBackoff << min(e.failures-freeFailures-1, 20)
		e.until = now.Add(min(backoff, maxBackoff))
	}
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}

// sweep forgets stale entries so memory stays bounded under a spray of keys.
func (t *throttle) sweep(now time.Time) {
	for k, e := range t.entries {
		if now.Sub(e.last) > forgetAfter || len(t.entries) >= maxEntries {
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
