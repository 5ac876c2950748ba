package webhooks

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"code.dny.dev/ssrf"
)

// MaxURLLength bounds an endpoint's URL.
const MaxURLLength = 2048

// Policy says where endpoints may point. The zero value is the strict
// production policy: https only, and only to public addresses.
type Policy struct {
	// AllowHTTPHosts are host names (or IP literals) that may be reached
	// over plain http, for local development.
	AllowHTTPHosts []string
	// AllowPrivateNetworks are address ranges that may be reached although
	// they are loopback, private, link-local or otherwise not public.
	AllowPrivateNetworks []netip.Prefix
}

// URLError says why an endpoint URL is refused; its message is safe to show.
type URLError struct{ Reason string }

func (e *URLError) Error() string { return e.Reason }

// CheckURL parses an endpoint URL and checks it against the policy as far
// as it can without resolving names: the scheme, the form, and an address
// given literally. Names are checked where it matters, at every connection.
func (p Policy) CheckURL(raw string) (*url.URL, error) {
	if len(raw) > MaxURLLength {
		return nil, &URLError{fmt.Sprintf("the URL is longer than %d characters", MaxURLLength)}
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, &URLError{"the URL must be absolute, like https://hooks.example.com/invited"}
	}
	host := strings.ToLower(u.Hostname())
	switch u.Scheme {
	case "https":
	case "http":
		if !slices.Contains(p.lowerHTTPHosts(), host) {
			return nil, &URLError{"the URL must use https (plain http is allowed only for the hosts in WEBHOOK_ALLOW_HTTP_HOSTS)"}
		}
	default:
		return nil, &URLError{"the URL must use https"}
	}
	if u.User != nil {
		return nil, &URLError{"the URL must not carry a user name or password; authenticate the request with its signature"}
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, &URLError{"the URL must not have a fragment"}
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil {
		if err := p.guardian().SafeAddr(ip.Unmap()); err != nil {
			return nil, &URLError{fmt.Sprintf("the address %s is not a public one (loopback, private, link-local and metadata addresses are refused)", ip)}
		}
	}
	return u, nil
}

func (p Policy) lowerHTTPHosts() []string {
	out := make([]string, len(p.AllowHTTPHosts))
	for i, h := range p.AllowHTTPHosts {
		out[i] = strings.ToLower(strings.Trim(h, "[]"))
	}
	return out
}

// guardian is the connect-time check: every address the dialer is about to
// connect to, whatever name it came from, after DNS resolution, so that a
// name that resolves to a public address when the endpoint is saved and to
// an internal one later (DNS rebinding) is still refused. The deny list is
// the IANA special-purpose registries (loopback, private, link-local with
// the cloud metadata address, shared, documentation, multicast, reserved)
// and, for IPv6, everything outside global unicast, as maintained by the
// ssrf package.
func (p Policy) guardian() *ssrf.Guardian {
	var v4, v6 []netip.Prefix
	for _, n := range p.AllowPrivateNetworks {
		if n.Addr().Is4() {
			v4 = append(v4, n)
		} else {
			v6 = append(v6, n)
		}
	}
	return ssrf.New(ssrf.WithAnyPort(), ssrf.WithAllowedV4Prefixes(v4...), ssrf.WithAllowedV6Prefixes(v6...))
}

// ErrAddressRefused marks a connection the policy refused.
var ErrAddressRefused = errors.New("address refused by the webhook policy")
