package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Salt and key sizes recommended by OWASP and RFC 9106.
const (
	saltLen = 16
	keyLen  = 32
)

// maxDefaultInFlight caps the default number of concurrent hashes on a
// machine with many cores: four hashes hold 28 MiB at once.
const maxDefaultInFlight = 4

// collectAfter is the memory cost (KiB) from which each hash is followed by
// a garbage collection, so that its block is free for the next hash at once
// (see Hasher). The default parameters' 7 MiB stay below it: the heap's
// goal makes room for a few such blocks at little cost, where a collection
// after every hash cost a sixth of the CPU per hash. Hashes stored with
// OWASP's 19 MiB or 46 MiB rows, verified until sign-in rehashes them,
// are collected after.
const collectAfter = 16 * 1024

// Params are argon2id cost parameters.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultParams returns argon2id parameters from OWASP's table of
// configurations that give an equal level of defence (m=47104 t=1,
// m=19456 t=2, m=12288 t=3, m=9216 t=4, m=7168 t=5, one thread each): the
// row with the least memory, 7 MiB and five passes. On the machines
// measured it costs the least CPU of the five (a fifth less than 19 MiB
// with two passes, whose block does not stay in the processor's caches;
// BENCHMARKS.md, Password hashing), and each hash in flight holds 7 MiB
// instead of 19. Hashes made with other parameters keep verifying and are
// rehashed at the next sign-in (NeedsRehash). It is a function so that no
// caller can weaken the defaults for everyone else.
func DefaultParams() Params {
	return Params{Memory: 7 * 1024, Time: 5, Threads: 1}
}

// validate refuses parameters that argon2 would panic on or that would let
// one hash take an unbounded share of the machine.
func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time must be in [1, %d], got %d", maxTime, p.Time)
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("memory must be in [8*threads, %d] KiB, got %d", maxMemoryKiB, p.Memory)
	}
	return nil
}

// Hasher hashes and verifies passwords with argon2id. A semaphore bounds the
// number of hashes computed at once, because each one holds Params.Memory
// KiB: without it a burst of sign-ins could exhaust the replica's memory.
// A Hasher is safe for concurrent use.
//
// Each hash allocates a fresh block of Params.Memory (argon2 takes no
// buffer from its caller), which is garbage the moment the hash returns.
// Left to the collector's pacing, 19 MiB blocks piled up to twice the live
// heap before a collection: a burst of 200 password sets peaked at 172 MiB
// with two hashes in flight. So a hash with a block of collectAfter or
// more is followed, in its slot, by a collection: the next hash reuses the
// memory the last one freed instead of growing the heap. The default's
// 7 MiB blocks are left to the collector, which the service paces with
// the runtime's memory limit, raised by one block per slot in use
// (OnSlotsChange). BENCHMARKS.md measures both.
type Hasher struct {
	params Params
	sem    chan struct{}
	// dummy is a hash no password matches, verified for unknown users so
	// that their sign-in costs as much as a real one.
	dummy string
	// derive computes the key; tests replace it to observe concurrency.
	derive func(password, salt []byte, p Params, keyLen uint32) []byte
	// computed counts key derivations, real and dummy alike.
	computed atomic.Uint64
	// waiting counts the callers waiting for a slot.
	waiting atomic.Int64
	// onSlots, when set, is told the number of hashes in flight each time
	// it changes, under slotsMu so that the calls arrive in order.
	onSlots func(inFlight int)
	slotsMu sync.Mutex
}

// OnSlotsChange makes the Hasher call f with the number of hashes in
// flight whenever a slot is taken or given back, so that the service can
// budget the memory they hold (see MemoryPerHash). A hash is counted from
// before its block is allocated until after the block is collected. f
// must be quick; set it before the Hasher is used.
func (h *Hasher) OnSlotsChange(f func(inFlight int)) { h.onSlots = f }

func (h *Hasher) slotsChanged() {
	if h.onSlots == nil {
		return
	}
	h.slotsMu.Lock()
	defer h.slotsMu.Unlock()
	h.onSlots(len(h.sem))
}

// InFlight is how many hashes are being computed now; at most the
// Hasher's maxInFlight.
func (h *Hasher) InFlight() int { return len(h.sem) }

// Slots is how many hashes may be in flight at once.
func (h *Hasher) Slots() int { return cap(h.sem) }

// MemoryPerHash is the memory, in bytes, one hash in flight holds with this
// Hasher's parameters: its block of Params.Memory KiB.
func (h *Hasher) MemoryPerHash() int64 { return int64(h.params.Memory) * 1024 }

// Waiting is how many hashes wait for a slot now.
func (h *Hasher) Waiting() int { return int(h.waiting.Load()) }

// Computations is how many argon2id keys this Hasher has derived so far,
// for Hash, Verify and VerifyDummy alike. Equal counts per sign-in path are
// what make those paths take comparable time, and tests check exactly that
// instead of timing requests.
func (h *Hasher) Computations() uint64 { return h.computed.Load() }

// NewHasher returns a Hasher with DefaultParams allowing maxInFlight
// concurrent hashes. maxInFlight <= 0 means as many as the Go scheduler
// runs at once (GOMAXPROCS, which follows the CPU quota of a container),
// capped to [1, 4]: a hash is pure computation, so more in flight than the
// cores can run only holds more memory without finishing any sooner.
func NewHasher(maxInFlight int) *Hasher {
	return NewHasherWithParams(maxInFlight, DefaultParams())
}

// NewHasherWithParams is NewHasher with explicit parameters. It exists so
// that tests can hash cheaply; production code should use NewHasher. It
// panics on parameters argon2 cannot use, which is a programming error.
func NewHasherWithParams(maxInFlight int, p Params) *Hasher {
	if err := p.validate(); err != nil {
		panic("auth: invalid argon2 parameters: " + err.Error())
	}
	if maxInFlight <= 0 {
		maxInFlight = min(max(runtime.GOMAXPROCS(0), 1), maxDefaultInFlight)
	}
	return &Hasher{
		params: p,
		sem:    make(chan struct{}, maxInFlight),
		// Random salt and key: nothing hashes to this, and it costs nothing
		// to build.
		dummy:  encodePHC(p, randomBytes(saltLen), randomBytes(keyLen)),
		derive: deriveArgon2id,
	}
}

func deriveArgon2id(password, salt []byte, p Params, keyLen uint32) []byte {
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, keyLen)
}

// compute derives a key in the caller's slot and, for a large block,
// collects it before the slot is given to the next hash.
func (h *Hasher) compute(password, salt []byte, p Params, keyLen uint32) []byte {
	key := h.derive(password, salt, p, keyLen)
	h.computed.Add(1)
	if p.Memory >= collectAfter {
		runtime.GC()
	}
	return key
}

// Hash returns the PHC string of password, such as
// "$argon2id$v=19$m=7168,t=5,p=1$<salt>$<key>", with a fresh random salt.
// It waits for a free slot and gives up when ctx ends.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	return h.HashChecked(ctx, password, nil)
}

// HashChecked is Hash that first runs check in the same slot, and hashes
// only when check returns nil (its error is returned as is). A password
// policy belongs there: its strength estimate is the other costly part of
// setting a password (milliseconds of CPU and 200 KB of garbage each), so
// in a burst it waits its turn with the hash rather than run for every
// request at once.
func (h *Hasher) HashChecked(ctx context.Context, password string, check func() error) (string, error) {
	salt := randomBytes(saltLen)
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	if check != nil {
		if err := check(); err != nil {
			return "", err
		}
	}
	key := h.compute([]byte(password), salt, h.params, keyLen)
	return encodePHC(h.params, salt, key), nil
}

// Verify reports whether password matches encoded. The parameters are read
// from encoded, so hashes made with older parameters still verify. It
// returns an error, not false, when encoded cannot be read or ctx ends
// while waiting for a slot.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	stored, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	key := h.compute([]byte(password), stored.salt, stored.params, uint32(len(stored.key))) //nolint:gosec // parsePHC bounds the key length
	return subtle.ConstantTimeCompare(key, stored.key) == 1, nil
}

// VerifyDummy does the work of a real Verify against a hash no password
// matches. Sign-in calls it for unknown users and users without a password,
// so that response time does not reveal which accounts exist.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	_, _ = h.Verify(ctx, h.dummy, password)
}

// NeedsRehash reports whether encoded was made with parameters other than
// this Hasher's, so that sign-in can store a fresh hash after a successful
// Verify. Unreadable hashes also need one.
func (h *Hasher) NeedsRehash(encoded string) bool {
	stored, err := parsePHC(encoded)
	return err != nil || stored.params != h.params || len(stored.key) != keyLen
}

// acquire waits for a hashing slot. A context that has already ended wins
// over a free slot, so a cancelled request never starts a hash.
func (h *Hasher) acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	release = func() {
		<-h.sem
		h.slotsChanged()
	}
	select {
	case h.sem <- struct{}{}:
		h.slotsChanged()
		return release, nil
	default:
	}
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	select {
	case h.sem <- struct{}{}:
		h.slotsChanged()
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error since Go 1.24; it crashes
	// the program instead if the system's randomness source fails.
	_, _ = rand.Read(b)
	return b
}
