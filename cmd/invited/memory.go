package main

import (
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/config"
)

// memoryBudget is the Go runtime's soft memory limit as the service sets
// it: MEMORY_LIMIT for everything but password hashing, plus one argon2id
// block for each hashing slot in use. The hashes need their blocks whatever
// the limit says, so a fixed limit would either sit far above what the
// service uses the rest of the time (and steer nothing) or make the
// collector run without pause during a burst of password sets; raising
// it by exactly what the hashes in flight hold gives neither.
type memoryBudget struct {
	base    int64
	perHash int64
}

// setMemoryLimit is debug.SetMemoryLimit; a test records the limits set.
var setMemoryLimit = debug.SetMemoryLimit

// limit is the runtime's memory limit with inFlight hashes running.
func (b memoryBudget) limit(inFlight int) int64 { return b.base + int64(inFlight)*b.perHash }

// limitMemory sets the runtime's soft memory limit from the configuration
// and keeps it following the hashes in flight. The returned function puts
// back the limit there was before, and stops following; it must not run
// while hashes are being computed with h. It does nothing when the
// operator set GOMEMLIMIT (the runtime applied it) or MEMORY_LIMIT=off.
func limitMemory(cfg config.Config, h *auth.Hasher, log *slog.Logger) (restore func()) {
	switch {
	case cfg.GoMemoryLimitSet:
		log.Info("GOMEMLIMIT is set: the Go runtime's memory limit is the operator's, MEMORY_LIMIT is ignored")
		return func() {}
	case cfg.MemoryLimit == 0:
		return func() {}
	}
	b := memoryBudget{base: cfg.MemoryLimit, perHash: h.MemoryPerHash()}
	// A slot given back to a caller that waits for it is taken again at
	// once: counting the waiting hashes too keeps the limit where it is
	// for the whole of a burst. Lowered between two hashes, it would have
	// the runtime give the last block's pages back to the system, and the
	// next hash fault them in again.
	budgeted := func(inFlight int) int { return min(inFlight+h.Waiting(), h.Slots()) }
	prev := debug.SetMemoryLimit(b.limit(budgeted(h.InFlight())))
	var mu sync.Mutex
	following := true
	h.OnSlotsChange(func(inFlight int) {
		mu.Lock()
		defer mu.Unlock()
		if following {
			setMemoryLimit(b.limit(budgeted(inFlight)))
		}
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		following = false
		debug.SetMemoryLimit(prev)
	}
}
