package people

import (
	"context"
	"strings"

	"github.com/invitedhq/invited/internal/maildomain"
)

// DomainChecker tells whether email domains have a mail server. It answers
// within its own short timeout, unknown when it cannot tell.
type DomainChecker interface {
	CheckAll(ctx context.Context, domains []string) map[string]maildomain.Result
}

// Email warnings: facts about an address that make it unlikely to receive
// an invitation. They are advice; the address is kept all the same.
const (
	// WarningNoMailServer: the address's domain has no MX record and no
	// address (RFC 5321 §5.1), or does not exist.
	WarningNoMailServer = "domain_has_no_mail_server"
)

// EmailWarnings lists every email warning code.
var EmailWarnings = []string{WarningNoMailServer}

// emailDomain is the part of a normalized address after the @.
func emailDomain(email string) string {
	_, d, _ := strings.Cut(email, "@")
	return d
}

// emailWarnings checks the domains of the addresses and returns each
// address's warnings; an address without warnings is absent. Without a
// checker (DNS_RESOLVER=off) there are none. It never takes longer than the
// checker's timeout, however many addresses.
func (s *Service) emailWarnings(ctx context.Context, emails ...string) map[string][]string {
	if s.domains == nil || len(emails) == 0 {
		return nil
	}
	domains := make([]string, 0, len(emails))
	for _, e := range emails {
		if d := emailDomain(e); d != "" {
			domains = append(domains, d)
		}
	}
	found := s.domains.CheckAll(ctx, domains)
	out := map[string][]string{}
	for _, e := range emails {
		if found[emailDomain(e)] == maildomain.NoMailServer {
			out[e] = []string{WarningNoMailServer}
		}
	}
	return out
}
