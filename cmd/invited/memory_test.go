package main

import (
	"context"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/config"
)

// The runtime's limit is MEMORY_LIMIT with no hash running, plus one block
// for each hash in flight while it runs, and what it was before once the
// server stops. The memory limit is the whole process's, so this test does
// not run in parallel with the others (which serve with MEMORY_LIMIT=off).
func TestLimitMemoryFollowsHashesInFlight(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	before := debug.SetMemoryLimit(-1)
	const base = 32 << 20
	h := auth.NewHasherWithParams(2, auth.Params{Memory: 64, Time: 1, Threads: 1})

	restore := limitMemory(config.Config{MemoryLimit: base}, h, log)
	require.EqualValues(t, base, debug.SetMemoryLimit(-1))
	var during int64
	_, err := h.HashChecked(context.Background(), "a password", func() error {
		during = debug.SetMemoryLimit(-1) // the check runs in the hash's slot
		return nil
	})
	require.NoError(t, err)
	require.EqualValues(t, base+h.MemoryPerHash(), during, "the hash in flight adds its block")
	require.EqualValues(t, base, debug.SetMemoryLimit(-1), "and takes it back when done")

	restore()
	require.Equal(t, before, debug.SetMemoryLimit(-1))
	_, err = h.Hash(context.Background(), "after the server stopped")
	require.NoError(t, err)
	require.Equal(t, before, debug.SetMemoryLimit(-1), "a stopped server's hasher no longer moves the limit")

	for _, cfg := range []config.Config{{MemoryLimit: 0}, {GoMemoryLimitSet: true}} {
		limitMemory(cfg, auth.NewHasher(1), log)()
		require.Equal(t, before, debug.SetMemoryLimit(-1), "%+v leaves the runtime's limit alone", cfg)
	}
}

// Through a burst the limit stays where the slots put it: a slot given
// back while another hash waits for it does not lower the limit, which
// would have the runtime give the finished block's pages back only for the
// next hash to fault them in again. Not parallel, as above.
func TestLimitMemoryStaysUpWhileHashesWait(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	var mu sync.Mutex
	var set []int64
	setMemoryLimit = func(limit int64) int64 {
		mu.Lock()
		defer mu.Unlock()
		set = append(set, limit)
		return debug.SetMemoryLimit(limit)
	}
	t.Cleanup(func() { setMemoryLimit = debug.SetMemoryLimit })
	const base = 32 << 20
	h := auth.NewHasherWithParams(1, auth.Params{Memory: 64, Time: 1, Threads: 1})
	defer limitMemory(config.Config{MemoryLimit: base}, h, log)()
	block := h.MemoryPerHash()

	holding, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := h.HashChecked(context.Background(), "the first password", func() error {
			close(holding)
			<-release
			return nil
		})
		first <- err
	}()
	<-holding
	second := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "the second password")
		second <- err
	}()
	require.Eventually(t, func() bool { return h.Waiting() == 1 }, 10*time.Second, time.Millisecond)
	close(release)
	require.NoError(t, <-first)
	require.NoError(t, <-second)

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []int64{base + block, base + block, base + block, base}, set,
		"taken, given back to the waiting hash, taken by it, given back with nothing waiting")
}
