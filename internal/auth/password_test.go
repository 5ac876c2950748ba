package auth

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cheapParams keep tests fast; the format and code paths are the same.
var cheapParams = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashDefaultParamsFormat(t *testing.T) {
	t.Parallel()
	h := NewHasher(1)
	encoded, err := h.Hash(context.Background(), "correct horse battery staple")
	require.NoError(t, err)

	require.True(t, strings.HasPrefix(encoded, "$argon2id$v=19$m=7168,t=5,p=1$"), encoded)
	parts := strings.Split(encoded, "$")
	require.Len(t, parts, 6)
	require.Len(t, parts[4], 22, "16-byte salt")
	require.Len(t, parts[5], 43, "32-byte key")

	ok, err := h.Verify(context.Background(), encoded, "correct horse battery staple")
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, h.NeedsRehash(encoded))
}

func TestHashVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := NewHasherWithParams(2, cheapParams)
	encoded, err := h.Hash(ctx, "Tr0ub4dor&3-and-more")
	require.NoError(t, err)

	again, err := h.Hash(ctx, "Tr0ub4dor&3-and-more")
	require.NoError(t, err)
	require.NotEqual(t, encoded, again, "each hash has its own salt")

	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{name: "same password", password: "Tr0ub4dor&3-and-more", want: true},
		{name: "wrong password", password: "Tr0ub4dor&3-and-mord", want: false},
		{name: "prefix", password: "Tr0ub4dor&3", want: false},
		{name: "different case", password: "tr0ub4dor&3-and-more", want: false},
		{name: "empty", password: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, err := h.Verify(ctx, encoded, tt.password)
			require.NoError(t, err)
			require.Equal(t, tt.want, ok)
		})
	}
}

func TestVerifyReadsParamsFromHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	older := NewHasherWithParams(1, Params{Memory: 32, Time: 3, Threads: 2})
	encoded, err := older.Hash(ctx, "an older password hash")
	require.NoError(t, err)
	require.Contains(t, encoded, "$m=32,t=3,p=2$")

	current := NewHasherWithParams(1, cheapParams)
	ok, err := current.Verify(ctx, encoded, "an older password hash")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, current.NeedsRehash(encoded))
	require.True(t, current.NeedsRehash("garbage"))
}

func TestVerifyMalformedHashes(t *testing.T) {
	t.Parallel()
	h := NewHasherWithParams(1, cheapParams)
	good, err := h.Hash(context.Background(), "a perfectly fine password")
	require.NoError(t, err)
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	with := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }

	tests := []struct {
		name    string
		encoded string
	}{
		{name: "empty", encoded: ""},
		{name: "plain text", encoded: "a perfectly fine password"},
		{name: "bcrypt", encoded: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{name: "argon2i", encoded: strings.Replace(good, "argon2id", "argon2i", 1)},
		{name: "old version", encoded: strings.Replace(good, "v=19", "v=16", 1)},
		{name: "missing version", encoded: "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{name: "extra segment", encoded: good + "$AAAA"},
		{name: "no leading dollar", encoded: good[1:]},
		{name: "missing key", encoded: "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{name: "missing p", encoded: with("m=64,t=1")},
		{name: "reordered params", encoded: with("t=1,m=64,p=1")},
		{name: "extra param", encoded: with("m=64,t=1,p=1,k=2")},
		{name: "non-numeric", encoded: with("m=x,t=1,p=1")},
		{name: "signed number", encoded: with("m=+64,t=1,p=1")},
		{name: "trailing junk", encoded: with("m=64,t=1,p=1x")},
		{name: "zero time", encoded: with("m=64,t=0,p=1")},
		{name: "zero threads", encoded: with("m=64,t=1,p=0")},
		{name: "threads overflow uint8", encoded: with("m=64,t=1,p=256")},
		{name: "memory below 8 per thread", encoded: with("m=15,t=1,p=2")},
		{name: "memory overflow uint32", encoded: with("m=4294967296,t=1,p=1")},
		{name: "memory too large", encoded: with("m=4194304,t=1,p=1")},
		{name: "time too large", encoded: with("m=64,t=1000000,p=1")},
		{name: "salt not base64", encoded: "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{name: "salt padded", encoded: "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{name: "salt too short", encoded: "$argon2id$v=19$m=64,t=1,p=1$AAAA$" + key},
		{name: "key too short", encoded: "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA"},
		{name: "empty key", encoded: "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NotPanics(t, func() {
				ok, err := h.Verify(context.Background(), tt.encoded, "a perfectly fine password")
				require.ErrorIs(t, err, errMalformedHash)
				require.False(t, ok)
			})
		})
	}
}

// blockingDerive replaces argon2 with a stand-in that waits for release,
// recording how many derivations run at once.
type blockingDerive struct {
	current, peak, calls atomic.Int32
	entered              chan Params
	release              chan struct{}
}

func newBlockingDerive(h *Hasher) *blockingDerive {
	b := &blockingDerive{entered: make(chan Params, 64), release: make(chan struct{})}
	h.derive = func(_, _ []byte, p Params, keyLen uint32) []byte {
		n := b.current.Add(1)
		for {
			peak := b.peak.Load()
			if n <= peak || b.peak.CompareAndSwap(peak, n) {
				break
			}
		}
		b.calls.Add(1)
		b.entered <- p
		<-b.release
		b.current.Add(-1)
		return make([]byte, keyLen)
	}
	return b
}

func TestHasherBoundsConcurrency(t *testing.T) {
	t.Parallel()
	const limit, callers = 2, 8
	h := NewHasherWithParams(limit, cheapParams)
	d := newBlockingDerive(h)

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := h.Hash(context.Background(), "password")
			errs <- err
		})
	}

	for range limit {
		<-d.entered
	}
	// The others must stay queued while the slots are held.
	require.Never(t, func() bool { return len(d.entered) > 0 }, 50*time.Millisecond, 5*time.Millisecond)
	require.EqualValues(t, limit, d.current.Load())
	require.Equal(t, limit, h.InFlight(), "the gauges the metrics read")
	require.Eventually(t, func() bool { return h.Waiting() == callers-limit }, 10*time.Second, time.Millisecond)

	close(d.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, limit, d.peak.Load())
	require.EqualValues(t, callers, d.calls.Load())
	require.Zero(t, h.InFlight())
	require.Zero(t, h.Waiting())
}

// The service budgets memory by the slots taken: it hears of each slot
// taken before the hash derives (so before its block exists) and of each
// slot given back after, in order, ending at zero.
func TestOnSlotsChangeReportsEverySlot(t *testing.T) {
	t.Parallel()
	const limit, callers = 2, 6
	h := NewHasherWithParams(limit, cheapParams)
	require.Equal(t, limit, h.Slots())
	require.Equal(t, int64(64*1024), h.MemoryPerHash())
	d := newBlockingDerive(h)
	var mu sync.Mutex
	var seen []int
	h.OnSlotsChange(func(n int) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, n)
	})

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := h.Hash(context.Background(), "password")
			errs <- err
		})
	}
	for range limit {
		<-d.entered
	}
	mu.Lock()
	require.Equal(t, []int{1, 2}, seen, "both slots were reported taken before their hashes ran")
	mu.Unlock()
	close(d.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2*callers, "one report per slot taken and one per slot given back")
	for _, n := range seen {
		require.True(t, n >= 0 && n <= limit, "in flight %d", n)
	}
	require.Zero(t, seen[len(seen)-1], "the last report is that nothing is in flight")
}

// The check of HashChecked runs in the hash's slot: while every slot is
// taken, no other caller's check starts, and a failed check hashes nothing.
func TestHashCheckedRunsTheCheckInTheSlot(t *testing.T) {
	t.Parallel()
	h := NewHasherWithParams(1, cheapParams)
	d := newBlockingDerive(h)
	holder := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "holds the only slot")
		holder <- err
	}()
	<-d.entered

	var checks atomic.Int32
	weak := errors.New("too weak")
	waiter := make(chan error, 1)
	go func() {
		_, err := h.HashChecked(context.Background(), "waits", func() error { checks.Add(1); return weak })
		waiter <- err
	}()
	require.Never(t, func() bool { return checks.Load() > 0 }, 50*time.Millisecond, 5*time.Millisecond,
		"the check waited for the slot")

	close(d.release)
	require.NoError(t, <-holder)
	require.ErrorIs(t, <-waiter, weak)
	require.EqualValues(t, 1, checks.Load())
	require.EqualValues(t, 1, d.calls.Load(), "a failed check hashes nothing")

	encoded, err := h.HashChecked(context.Background(), "passes", func() error { return nil })
	require.NoError(t, err)
	require.Contains(t, encoded, "$argon2id$")
}

func TestHasherHonoursContextWhileWaiting(t *testing.T) {
	t.Parallel()
	h := NewHasherWithParams(1, cheapParams)
	d := newBlockingDerive(h)

	holder := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "holds the only slot")
		holder <- err
	}()
	<-d.entered

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := h.Hash(ctx, "waits")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	_, err = h.Verify(ctx, h.dummy, "waits")
	require.ErrorIs(t, err, context.Canceled)

	done := make(chan struct{})
	go func() {
		h.VerifyDummy(ctx, "gives up at once")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("VerifyDummy ignored its cancelled context")
	}

	close(d.release)
	require.NoError(t, <-holder)
	require.EqualValues(t, 1, d.calls.Load(), "no waiter may have hashed")
}

func TestHasherRefusesEndedContextWithFreeSlot(t *testing.T) {
	t.Parallel()
	h := NewHasherWithParams(4, cheapParams)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 {
		_, err := h.Hash(ctx, "password")
		require.ErrorIs(t, err, context.Canceled)
	}
}

func TestVerifyDummyDoesRealWork(t *testing.T) {
	t.Parallel()
	h := NewHasherWithParams(1, cheapParams)
	d := newBlockingDerive(h)
	close(d.release)

	h.VerifyDummy(context.Background(), "anything")
	require.EqualValues(t, 1, d.calls.Load())
	require.Equal(t, cheapParams, <-d.entered, "dummy must cost what a current hash costs")
}

func TestNewHasherDefaults(t *testing.T) {
	t.Parallel()
	require.Equal(t, Params{Memory: 7168, Time: 5, Threads: 1}, DefaultParams())

	h := NewHasher(0)
	require.Equal(t, min(runtime.GOMAXPROCS(0), 4), cap(h.sem), "as many hashes as the scheduler runs at once, at most four")
	require.Equal(t, DefaultParams(), h.params)
	require.Equal(t, cap(h.sem), cap(NewHasher(-3).sem))
	require.Equal(t, 7, cap(NewHasher(7).sem))
}

func TestNewHasherWithParamsPanicsOnUnusableParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Params
	}{
		{name: "zero", p: Params{}},
		{name: "zero time", p: Params{Memory: 64, Threads: 1}},
		{name: "zero threads", p: Params{Memory: 64, Time: 1}},
		{name: "too little memory", p: Params{Memory: 8, Time: 1, Threads: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Panics(t, func() { NewHasherWithParams(1, tt.p) })
		})
	}
}

func TestComputationsCountsEveryDerivation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := NewHasherWithParams(1, cheapParams)
	require.Zero(t, h.Computations())

	hash, err := h.Hash(ctx, "password")
	require.NoError(t, err)
	require.EqualValues(t, 1, h.Computations())

	ok, err := h.Verify(ctx, hash, "password")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = h.Verify(ctx, hash, "wrong")
	require.NoError(t, err)
	require.False(t, ok)
	require.EqualValues(t, 3, h.Computations(), "a match and a mismatch cost one derivation each")

	h.VerifyDummy(ctx, "anything")
	require.EqualValues(t, 4, h.Computations(), "the dummy costs what a real verification costs")

	_, err = h.Verify(ctx, "not a hash", "password")
	require.Error(t, err)
	require.EqualValues(t, 4, h.Computations(), "an unreadable hash derives nothing")
}
