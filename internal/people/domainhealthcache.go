package people

import (
	"context"
	"maps"
	"time"

	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// DomainHealthTTL is how long a replica reuses the tally of one
// organization's recipient domain for the view of one user and a resend's
// warnings. Tallying reads every invitation mailed to the domain in the
// last 30 days — tens of thousands where an organization's people share a
// domain — and it ran on every resend, costing PostgreSQL ten times the
// resend's own statements (BENCHMARKS.md, target 3). A verdict on 30 days
// of mail is the same some seconds later; a provider's reports show in it
// within this time on every replica. Forgetting a tally when a report
// arrives would make it fresher on one replica only, and would bring the
// tally back on every resend to a domain that blocks everything — the
// case the warning is for. GET /delivery/domains always tallies afresh.
const DomainHealthTTL = 10 * time.Second

// domainHealthCacheSize bounds the domains whose tallies a replica keeps.
const domainHealthCacheSize = 10_000

type domainKey struct {
	org    uuid.UUID
	domain string
}

type cachedTally struct {
	tally DomainTally
	at    time.Time // on the service's clock
}

// domainHealthCache keeps recent domain tallies, and tallies a domain once
// however many requests ask for it at the same moment (a burst of resends
// to one organization asks for the same few domains).
type domainHealthCache struct {
	now     func() time.Time
	entries *lru.Cache[domainKey, cachedTally]
	group   singleflight.Group
}

func newDomainHealthCache(now func() time.Time) *domainHealthCache {
	// A plain LRU: entries age on the service's clock, checked in tally
	// (an expiring LRU would age them on the wall clock, with a goroutine
	// of its own per Service).
	entries, err := lru.New[domainKey, cachedTally](domainHealthCacheSize)
	if err != nil {
		panic(err) // only for a size below one
	}
	return &domainHealthCache{now: now, entries: entries}
}

// tally returns the domain's tally: the cached one while it is younger
// than DomainHealthTTL on the service's clock, else count's.
func (c *domainHealthCache) tally(ctx context.Context, org uuid.UUID, domain string,
	count func(context.Context) (DomainTally, error)) (DomainTally, error) {
	key := domainKey{org: org, domain: domain}
	now := c.now()
	if e, ok := c.entries.Get(key); ok && !now.Before(e.at) && now.Sub(e.at) < DomainHealthTTL {
		return e.tally.clone(), nil
	}
	v, err, _ := c.group.Do(org.String()+"/"+domain, func() (any, error) {
		// Not the first caller's context alone: its end must not fail the others.
		t, err := count(context.WithoutCancel(ctx))
		if err == nil {
			c.entries.Add(key, cachedTally{tally: t, at: now})
		}
		return t, err
	})
	if err != nil {
		return DomainTally{}, err
	}
	return v.(DomainTally).clone(), nil //nolint:forcetypeassert // the function above returns a DomainTally
}

// clone copies the tally's maps, so that no caller shares the cached ones.
func (t DomainTally) clone() DomainTally {
	t.ByStatus, t.Reasons = maps.Clone(t.ByStatus), maps.Clone(t.Reasons)
	return t
}
