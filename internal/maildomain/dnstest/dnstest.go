// Package dnstest is a DNS server for tests, on 127.0.0.1 over UDP and
// TCP, answering from zones the test scripts: a domain with MX records,
// with addresses only, with nothing, one that does not exist, a resolver
// that fails or never answers. No lookup a test makes leaves the machine.
package dnstest

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// Zone is how the server answers for one domain.
type Zone int

// Zones.
const (
	// HasMX answers MX mx.<domain> (and an address for it).
	HasMX Zone = iota
	// AddressOnly has no MX but A and AAAA records: an implicit MX.
	AddressOnly
	// NoRecords exists but has neither MX nor addresses (NODATA).
	NoRecords
	// NXDomain does not exist.
	NXDomain
	// NullMX says it accepts no mail: MX 0 "." (RFC 7505).
	NullMX
	// ServFail answers SERVFAIL, as a resolver that could not tell.
	ServFail
	// Silent never answers, as an unreachable resolver.
	Silent
)

// Server is a running test DNS server.
type Server struct {
	// Addr is host:port, the same for UDP and TCP.
	Addr string

	mu      sync.Mutex
	zones   map[string]Zone
	def     Zone
	queries atomic.Int64
}

// NewServer starts a server that answers def for every domain not set
// otherwise, and stops when the test ends.
func NewServer(t testing.TB, def Zone) *Server {
	t.Helper()
	s := &Server{zones: map[string]Zone{}, def: def}
	pc, ln, err := listen()
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: s}
	tcp := &dns.Server{Listener: ln, Handler: s}
	started := make(chan struct{}, 2)
	udp.NotifyStartedFunc = func() { started <- struct{}{} }
	tcp.NotifyStartedFunc = func() { started <- struct{}{} }
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	<-started
	<-started
	t.Cleanup(func() {
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	})
	return s
}

// listen takes a free UDP port and the same port over TCP, trying again
// when another process holds the TCP one.
func listen() (net.PacketConn, net.Listener, error) {
	var (
		lc  net.ListenConfig
		ctx = context.Background()
		err error
	)
	for range 20 {
		var pc net.PacketConn
		if pc, err = lc.ListenPacket(ctx, "udp", "127.0.0.1:0"); err != nil {
			return nil, nil, err
		}
		var ln net.Listener
		if ln, err = lc.Listen(ctx, "tcp", pc.LocalAddr().String()); err == nil {
			return pc, ln, nil
		}
		_ = pc.Close()
	}
	return nil, nil, err
}

// Set makes the server answer z for domain and its subdomains' own names.
func (s *Server) Set(domain string, z Zone) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.zones[dns.Fqdn(strings.ToLower(domain))] = z
}

// Queries counts the questions received so far.
func (s *Server) Queries() int { return int(s.queries.Load()) }

func (s *Server) zone(name string) Zone {
	s.mu.Lock()
	defer s.mu.Unlock()
	if z, ok := s.zones[strings.ToLower(name)]; ok {
		return z
	}
	return s.def
}

// ServeDNS implements dns.Handler.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	s.queries.Add(1)
	if len(r.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	z := s.zone(q.Name)
	if z == Silent {
		return // the client times out
	}
	m := new(dns.Msg)
	m.SetReply(r)
	m.RecursionAvailable = true
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 300}
	}
	switch z {
	case ServFail:
		m.Rcode = dns.RcodeServerFailure
	case NXDomain:
		m.Rcode = dns.RcodeNameError
	case NullMX:
		if q.Qtype == dns.TypeMX {
			m.Answer = append(m.Answer, &dns.MX{Hdr: hdr(dns.TypeMX), Preference: 0, Mx: "."})
		}
	case HasMX:
		if q.Qtype == dns.TypeMX {
			m.Answer = append(m.Answer, &dns.MX{Hdr: hdr(dns.TypeMX), Preference: 10, Mx: "mx." + q.Name})
		}
	case AddressOnly:
		switch q.Qtype {
		case dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: net.IPv4(192, 0, 2, 25)})
		case dns.TypeAAAA:
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: net.ParseIP("2001:db8::25")})
		}
	case NoRecords, Silent:
	}
	_ = w.WriteMsg(m)
}
