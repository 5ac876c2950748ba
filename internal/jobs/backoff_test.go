package jobs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// samples is how many delays each check draws: enough for the jitter to
// reach near both ends of its range.
const samples = 2000

func TestBackoffGrowsWithinJitterBounds(t *testing.T) {
	t.Parallel()
	b := Backoff{Base: 2 * time.Second, Max: time.Hour}
	tests := []struct {
		attempt int
		nominal time.Duration // the wait before jitter
	}{
		{attempt: 0, nominal: 2 * time.Second}, // River counts from 1; 0 must not shrink the wait
		{attempt: 1, nominal: 2 * time.Second},
		{attempt: 2, nominal: 4 * time.Second},
		{attempt: 3, nominal: 8 * time.Second},
		{attempt: 6, nominal: 64 * time.Second},
		{attempt: 11, nominal: 2048 * time.Second},
		{attempt: 12, nominal: time.Hour}, // 4096 s is past the cap
		{attempt: 1000, nominal: time.Hour},
		{attempt: 1 << 30, nominal: time.Hour}, // no overflow into a negative or tiny wait
	}
	for _, tt := range tests {
		low, high := tt.nominal, time.Duration(0)
		for range samples {
			d := b.Delay(tt.attempt)
			low, high = min(low, d), max(high, d)
		}
		require.Greater(t, low, tt.nominal*3/4, "attempt %d: jitter takes off less than a quarter", tt.attempt)
		require.LessOrEqual(t, high, tt.nominal, "attempt %d: never more than the nominal wait", tt.attempt)
		require.Less(t, low, tt.nominal*95/100, "attempt %d: the wait is jittered", tt.attempt)
	}
}

func TestBackoffEachRetryWaitsLongerUntilTheCap(t *testing.T) {
	t.Parallel()
	b := Backoff{Base: 10 * time.Millisecond, Max: time.Minute}
	prevMax := time.Duration(0)
	for attempt := 1; b.Base<<attempt <= b.Max; attempt++ {
		lowest, highest := time.Duration(1<<62), time.Duration(0)
		for range samples / 10 {
			d := b.Delay(attempt)
			lowest, highest = min(lowest, d), max(highest, d)
		}
		require.Greater(t, lowest, prevMax, "attempt %d waits longer than any wait of attempt %d", attempt, attempt-1)
		prevMax = highest
	}
}

func TestBackoffNeverOverflows(t *testing.T) {
	t.Parallel()
	b := Backoff{Base: 2 * time.Second, Max: time.Hour}
	for attempt := 1; attempt <= 200; attempt++ {
		d := b.Delay(attempt)
		require.Positive(t, d, "attempt %d", attempt)
		require.LessOrEqual(t, d, time.Hour, "attempt %d", attempt)
		if attempt > 12 {
			require.Greater(t, d, 45*time.Minute, "attempt %d stays at the cap", attempt)
		}
	}
}

func TestBackoffZeroValueIsTheProductionSchedule(t *testing.T) {
	t.Parallel()
	var zero Backoff
	require.Equal(t, DefaultBackoff, zero.orDefault())
	require.LessOrEqual(t, zero.Delay(1), 2*time.Second)
	require.Greater(t, zero.Delay(1), 1500*time.Millisecond)
	require.LessOrEqual(t, zero.Delay(100), time.Hour)

	// A cap below the base is lifted to the base rather than inverting the schedule.
	odd := Backoff{Base: time.Second, Max: time.Millisecond}
	require.Greater(t, odd.Delay(5), 750*time.Millisecond)
	require.LessOrEqual(t, odd.Delay(5), time.Second)
}
