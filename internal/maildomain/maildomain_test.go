package maildomain_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/maildomain"
	"github.com/invitedhq/invited/internal/maildomain/dnstest"
)

func checker(t *testing.T, srv *dnstest.Server, timeout time.Duration) *maildomain.Checker {
	t.Helper()
	c, err := maildomain.New(maildomain.Config{Servers: []string{srv.Addr}, Timeout: timeout})
	require.NoError(t, err)
	return c
}

// RFC 5321 §5.1 against a local DNS server: MX first, then the domain's own
// addresses; only a definite answer says "no mail server".
func TestCheckFollowsRFC5321(t *testing.T) {
	t.Parallel()
	srv := dnstest.NewServer(t, dnstest.HasMX)
	srv.Set("address-only.example", dnstest.AddressOnly)
	srv.Set("nothing.example", dnstest.NoRecords)
	srv.Set("gone.example", dnstest.NXDomain)
	srv.Set("null-mx.example", dnstest.NullMX)
	srv.Set("broken.example", dnstest.ServFail)
	c := checker(t, srv, time.Second)
	for domain, want := range map[string]maildomain.Result{
		"example.com":          maildomain.HasMailServer,
		"Example.COM.":         maildomain.HasMailServer,
		"address-only.example": maildomain.HasMailServer,
		"nothing.example":      maildomain.NoMailServer,
		"gone.example":         maildomain.NoMailServer,
		"null-mx.example":      maildomain.NoMailServer,
		"broken.example":       maildomain.Unknown,
		"bücher.example":       maildomain.HasMailServer, // asked as its punycode name
		"localhost":            maildomain.Unknown,       // not a mail domain: nothing asked
	} {
		require.Equal(t, want, c.Check(context.Background(), domain), domain)
	}
}

// A resolver that never answers costs one timeout, then rests: the
// lookups after it answer unknown at once instead of waiting again.
func TestSilentResolverIsUnknownWithinTheTimeout(t *testing.T) {
	t.Parallel()
	srv := dnstest.NewServer(t, dnstest.Silent)
	c := checker(t, srv, 150*time.Millisecond)
	start := time.Now()
	require.Equal(t, maildomain.Unknown, c.Check(context.Background(), "slow.example"))
	require.Less(t, time.Since(start), time.Second, "bounded by the timeout")

	before := srv.Queries()
	res := c.CheckAll(context.Background(), []string{"a.example", "b.example", "c.example"})
	require.Equal(t, map[string]maildomain.Result{"a.example": maildomain.Unknown, "b.example": maildomain.Unknown,
		"c.example": maildomain.Unknown}, res)
	require.Equal(t, before, srv.Queries(), "the resting resolver is not asked again")
}

// CheckAll asks once per distinct domain, and the cache answers repeats.
func TestCheckAllAsksEachDomainOnce(t *testing.T) {
	t.Parallel()
	srv := dnstest.NewServer(t, dnstest.HasMX)
	srv.Set("nothing.example", dnstest.NoRecords)
	c := checker(t, srv, time.Second)
	res := c.CheckAll(context.Background(), []string{"example.org", "nothing.example", "example.org", "nothing.example"})
	require.Equal(t, map[string]maildomain.Result{"example.org": maildomain.HasMailServer, "nothing.example": maildomain.NoMailServer}, res)
	asked := srv.Queries()
	require.Equal(t, 4, asked, "MX for both, then A and AAAA for the one without MX")
	c.CheckAll(context.Background(), []string{"example.org", "nothing.example"})
	require.Equal(t, asked, srv.Queries(), "answered from the cache")
}

// A resolver that refuses the connection or fails is skipped for the next one.
func TestNextServerAnswersWhenTheFirstFails(t *testing.T) {
	t.Parallel()
	broken := dnstest.NewServer(t, dnstest.ServFail)
	good := dnstest.NewServer(t, dnstest.NoRecords)
	c, err := maildomain.New(maildomain.Config{Servers: []string{"127.0.0.1:1", broken.Addr, good.Addr}, Timeout: time.Second})
	require.NoError(t, err)
	require.Equal(t, maildomain.NoMailServer, c.Check(context.Background(), "nothing.example"))
}

func TestSystemServersReadsResolvConf(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "resolv.conf")
	require.NoError(t, os.WriteFile(path, []byte("nameserver 192.0.2.53\nnameserver 2001:db8::53\n"), 0o600))
	servers, err := maildomain.SystemServers(path)
	require.NoError(t, err)
	require.Equal(t, []string{"192.0.2.53:53", "[2001:db8::53]:53"}, servers)

	require.NoError(t, os.WriteFile(path, []byte("search example\n"), 0o600))
	_, err = maildomain.SystemServers(path)
	require.Error(t, err)
}
