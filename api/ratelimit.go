package api

import (
	"math"
	"sync"
	"time"

	"github.com/dunglas/httpsfv"
	"golang.org/x/time/rate"
)

// ipLimiter is a token bucket per client IP. Buckets live in this replica's
// memory; idle ones are forgotten so a spray of addresses can't grow it.
type ipLimiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
	// policy is the RateLimit-Policy field value: it never changes.
	policy string
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

const bucketIdle = 10 * time.Minute

// ratePolicy names the per-IP quota in the RateLimit fields.
const ratePolicy = "per-ip"

// RateLimit field names, draft-ietf-httpapi-ratelimit-headers.
const (
	headerRateLimitPolicy = "RateLimit-Policy"
	headerRateLimit       = "RateLimit"
)

func newIPLimiter(perMinute int) *ipLimiter {
	l := &ipLimiter{every: rate.Limit(float64(perMinute) / 60), burst: perMinute, buckets: map[string]*bucket{}}
	l.policy = sfvItem(map[string]int64{"q": int64(perMinute), "w": 60})
	return l
}

// quota is what one request left of its client's bucket.
type quota struct {
	// wait is zero when the request may go ahead now, or how long the
	// client must wait.
	wait time.Duration
	// remaining is how many more requests the bucket holds now.
	remaining int
	// reset is how long until the bucket holds one request more (zero
	// when it is full).
	reset time.Duration
}

// take spends one request of ip's bucket, if it has one.
func (l *ipLimiter) take(ip string, now time.Time) quota {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > bucketIdle {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > bucketIdle {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[ip]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[ip] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	var q quota
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		q.wait = d
	}
	tokens := b.lim.TokensAt(now)
	q.remaining = max(int(math.Floor(tokens)), 0)
	if tokens < float64(l.burst) {
		missing := math.Floor(tokens) + 1 - tokens
		q.reset = time.Duration(missing / float64(l.every) * float64(time.Second))
	}
	return q
}

// state is the RateLimit field value for q: the remaining requests and the
// whole seconds until another is allowed, rounded up.
func (q quota) state() string {
	return sfvItem(map[string]int64{"r": int64(q.remaining), "t": int64(math.Ceil(q.reset.Seconds()))})
}

// sfvItem serializes the policy item with params in the order r, t or
// q, w, as the draft's examples write them.
func sfvItem(params map[string]int64) string {
	item := httpsfv.NewItem(ratePolicy)
	for _, k := range []string{"q", "w", "r", "t"} {
		if v, ok := params[k]; ok {
			item.Params.Add(k, v)
		}
	}
	s, err := httpsfv.Marshal(httpsfv.List{item})
	if err != nil {
		panic(err) // a fixed string and integers always serialize
	}
	return s
}
