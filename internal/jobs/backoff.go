package jobs

import (
	"math/rand/v2"
	"time"
)

// DefaultBackoff is the retry schedule of invitation emails in production:
// 2 s, 4 s, 8 s… up to an hour between tries.
var DefaultBackoff = Backoff{Base: 2 * time.Second, Max: time.Hour}

// Backoff is an exponential retry schedule with jitter. The zero value means
// DefaultBackoff.
type Backoff struct {
	// Base is the wait before the first retry.
	Base time.Duration
	// Max caps every wait, jitter included.
	Max time.Duration
}

// Delay is the wait before retry number attempt (1-based): Base doubled
// attempt-1 times, capped at Max, less a random part of up to a quarter.
// Taking the jitter off the top keeps Max a true ceiling, and since three
// quarters of a doubled wait is more than the whole undoubled one, every
// uncapped retry waits longer than the one before it.
//
// The jitter spreads the retries of many emails that failed together (a
// provider outage), so they don't all come back at the same instant.
func (b Backoff) Delay(attempt int) time.Duration {
	b = b.orDefault()
	d := b.Max
	// Comparing with Max shifted right decides without computing Base
	// shifted left, which would overflow after a few dozen attempts.
	if shift := max(attempt-1, 0); shift < 63 && b.Base <= b.Max>>shift {
		d = b.Base << shift
	}
	return d - jitter(d/4)
}

func (b Backoff) orDefault() Backoff {
	if b.Base <= 0 {
		b.Base = DefaultBackoff.Base
	}
	if b.Max <= 0 {
		b.Max = max(DefaultBackoff.Max, b.Base)
	}
	if b.Max < b.Base {
		b.Max = b.Base
	}
	return b
}

// jitter is a random duration in [0, limit).
func jitter(limit time.Duration) time.Duration {
	if limit <= 0 {
		return 0
	}
	return rand.N(limit) //nolint:gosec // jitter spreads retries; it protects nothing
}
