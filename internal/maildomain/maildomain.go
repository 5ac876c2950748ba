// Package maildomain tells whether an email domain can receive mail at all:
// it looks up the domain's MX records and, when there are none, its A and
// AAAA records, which RFC 5321 §5.1 lets a sender use as an implicit MX.
// The answer is advice for the administrator, never a reason to refuse an
// address, so every lookup is bounded by a short timeout and every failure
// to get an answer means "unknown", not "no mail server".
package maildomain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/miekg/dns"
	"golang.org/x/net/idna"
)

// Result is what a lookup found out about a domain.
type Result string

// Results.
const (
	// Unknown: the resolver did not answer in time, failed, or the domain
	// cannot be looked up. Nothing is said about the address.
	Unknown Result = "unknown"
	// HasMailServer: the domain names a mail server (MX), or has an
	// address a sender may deliver to directly (A or AAAA).
	HasMailServer Result = "has_mail_server"
	// NoMailServer: the domain does not exist, says it accepts no mail (a
	// null MX, RFC 7505), or has neither MX nor address records.
	NoMailServer Result = "no_mail_server"
)

// Defaults of a Checker.
const (
	DefaultTimeout = 2 * time.Second
	// DefaultCacheTTL is how long an answer is kept: long enough that an
	// import of thousands of addresses at a few domains asks once per
	// domain, short enough that a domain that gets its MX fixed is seen soon.
	DefaultCacheTTL = time.Hour
	// DefaultCacheSize bounds the cached domains.
	DefaultCacheSize = 10_000
	// resolverRest is how long a resolver that timed out is left alone:
	// every lookup meanwhile is unknown at once, so an unreachable resolver
	// costs one timeout, not one per address of an import.
	resolverRest = 30 * time.Second
	// maxParallel bounds the lookups in flight for one CheckAll.
	maxParallel = 16
)

// Config describes a Checker.
type Config struct {
	// Servers are the resolvers to ask, host:port, in order.
	Servers []string
	// Timeout bounds one Check and one CheckAll; default DefaultTimeout.
	Timeout   time.Duration
	CacheTTL  time.Duration
	CacheSize int
	// Now is the clock of the resolver's rest after a timeout; default time.Now.
	Now func() time.Time
}

// Checker looks up domains and caches the answers. It is safe for
// concurrent use.
type Checker struct {
	servers []string
	timeout time.Duration
	udp     *dns.Client
	tcp     *dns.Client
	cache   *expirable.LRU[string, Result]
	now     func() time.Time
	// restUntil is when a resolver that timed out is asked again, in Unix nanoseconds.
	restUntil atomic.Int64
}

// New returns a Checker that asks the servers of cfg.
func New(cfg Config) (*Checker, error) {
	if len(cfg.Servers) == 0 {
		return nil, errors.New("maildomain: no DNS server to ask")
	}
	for i, s := range cfg.Servers {
		if _, _, err := net.SplitHostPort(s); err != nil {
			cfg.Servers[i] = net.JoinHostPort(s, "53")
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Checker{
		servers: cfg.Servers, timeout: cfg.Timeout,
		udp: &dns.Client{Net: "udp"}, tcp: &dns.Client{Net: "tcp"},
		cache: expirable.NewLRU[string, Result](cfg.CacheSize, nil, cfg.CacheTTL), now: cfg.Now,
	}, nil
}

// SystemServers reads the resolvers of the host from resolv.conf.
func SystemServers(path string) ([]string, error) {
	cc, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("maildomain: read %s: %w", path, err)
	}
	servers := make([]string, 0, len(cc.Servers))
	for _, s := range cc.Servers {
		servers = append(servers, net.JoinHostPort(s, cc.Port))
	}
	if len(servers) == 0 {
		return nil, fmt.Errorf("maildomain: %s names no nameserver", path)
	}
	return servers, nil
}

// Check looks the domain up, within the Checker's timeout.
func (c *Checker) Check(ctx context.Context, domain string) Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	return c.check(ctx, domain)
}

// CheckAll looks every domain up, in parallel, within one timeout for all
// of them: a batch of an import waits no longer than a single address.
func (c *Checker) CheckAll(ctx context.Context, domains []string) map[string]Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	out := make(map[string]Result, len(domains))
	var distinct []string
	for _, d := range domains {
		if _, seen := out[d]; !seen {
			out[d] = Unknown
			distinct = append(distinct, d)
		}
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sema = make(chan struct{}, maxParallel)
	)
	for _, d := range distinct {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sema <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sema }()
			r := c.check(ctx, d)
			mu.Lock()
			out[d] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func (c *Checker) check(ctx context.Context, domain string) Result {
	name, err := idna.Lookup.ToASCII(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), "."))
	if err != nil || name == "" || !strings.Contains(name, ".") {
		return Unknown
	}
	if r, ok := c.cache.Get(name); ok {
		return r
	}
	if c.now().UnixNano() < c.restUntil.Load() {
		return Unknown
	}
	r := c.lookup(ctx, dns.Fqdn(name))
	if r != Unknown {
		c.cache.Add(name, r)
	}
	return r
}

// lookup follows RFC 5321 §5.1: the MX records if there are any, else the
// domain's own addresses.
func (c *Checker) lookup(ctx context.Context, fqdn string) Result {
	mx, ok := c.query(ctx, fqdn, dns.TypeMX)
	if !ok {
		return Unknown
	}
	switch mx.Rcode {
	case dns.RcodeNameError:
		return NoMailServer // the domain does not exist
	case dns.RcodeSuccess:
	default:
		return Unknown // SERVFAIL, REFUSED…: the resolver could not tell
	}
	var hosts []string
	for _, rr := range mx.Answer {
		if m, isMX := rr.(*dns.MX); isMX {
			hosts = append(hosts, m.Mx)
		}
	}
	if len(hosts) == 1 && hosts[0] == "." {
		return NoMailServer // null MX: the domain accepts no mail (RFC 7505)
	}
	if len(hosts) > 0 {
		return HasMailServer
	}
	// No MX: the domain itself is the mail server if it has an address.
	answered := 0
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		m, ok := c.query(ctx, fqdn, t)
		if !ok || (m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError) {
			continue
		}
		answered++
		for _, rr := range m.Answer {
			switch rr.(type) {
			case *dns.A, *dns.AAAA:
				return HasMailServer
			}
		}
	}
	if answered < 2 {
		return Unknown
	}
	return NoMailServer
}

// query asks each server in turn until one answers, over TCP when the UDP
// answer was truncated; a server that fails (SERVFAIL, REFUSED) passes the
// question on to the next, as a stub resolver does. A timeout rests the
// resolvers.
func (c *Checker) query(ctx context.Context, fqdn string, qtype uint16) (*dns.Msg, bool) {
	q := new(dns.Msg)
	q.SetQuestion(fqdn, qtype)
	q.SetEdns0(1232, false)
	timedOut := false
	var failed *dns.Msg
	for _, server := range c.servers {
		if ctx.Err() != nil {
			break
		}
		m, _, err := c.udp.ExchangeContext(ctx, q, server)
		if err == nil && m.Truncated {
			m, _, err = c.tcp.ExchangeContext(ctx, q, server)
		}
		if err == nil && (m.Rcode == dns.RcodeSuccess || m.Rcode == dns.RcodeNameError) {
			return m, true
		}
		if err == nil {
			failed = m
			continue
		}
		var ne net.Error
		timedOut = timedOut || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	}
	if failed != nil {
		return failed, true
	}
	if timedOut || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		c.restUntil.Store(c.now().Add(resolverRest).UnixNano())
	}
	return nil, false
}
