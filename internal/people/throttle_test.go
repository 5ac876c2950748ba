package people

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestThrottleBacksOffExponentially(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	th := newThrottle(clock.now)

	for range freeFailures {
		th.fail("k")
		require.Zero(t, th.wait("k"), "the first failures are free")
	}
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		th.fail("k")
		w := th.wait("k")
		require.GreaterOrEqual(t, w, want, "failure %d", freeFailures+i+1)
		require.LessOrEqual(t, w, want+time.Second, "failure %d", freeFailures+i+1)
		clock.advance(want)
		require.Zero(t, th.wait("k"), "the wait ends")
	}
	require.Zero(t, th.wait("other"), "keys are independent")

	for range 40 {
		th.fail("k")
	}
	require.LessOrEqual(t, th.wait("k"), maxBackoff+time.Second, "capped")

	th.reset("k")
	require.Zero(t, th.wait("k"))
}

func TestThrottleForgetsOldFailures(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	th := newThrottle(clock.now)
	for range freeFailures {
		th.fail("k")
	}
	clock.advance(forgetAfter + time.Second)
	th.fail("k")
	require.Zero(t, th.wait("k"), "failures an hour old no longer count")
}

func TestThrottleStaysBounded(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	th := newThrottle(clock.now)
	th.max = 100
	for i := range 10 * th.max {
		th.fail(fmt.Sprint(i))
	}
	require.LessOrEqual(t, len(th.entries), th.max)
	clock.advance(forgetAfter + time.Second)
	th.fail("new")
	require.Len(t, th.entries, 1, "stale entries make room")
}

// A spray of made-up keys fills the throttle but never resets the backoff
// of the account under attack; the spray itself is throttled as one.
func TestThrottleSprayKeepsAccountBackoff(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	th := newThrottle(clock.now)
	th.max = 100
	for range freeFailures + 3 {
		th.fail("victim")
	}
	backoff := th.wait("victim")
	require.Positive(t, backoff)
	for i := range 10 * th.max {
		th.fail(fmt.Sprint("spray", i))
	}
	require.GreaterOrEqual(t, th.wait("victim"), backoff-time.Second, "the account's backoff survives the spray")
	require.Positive(t, th.wait("spray-never-seen"), "keys beyond the bound share the spray's backoff")
	th.fail("victim")
	require.Greater(t, th.wait("victim"), backoff, "the account keeps counting")
}
