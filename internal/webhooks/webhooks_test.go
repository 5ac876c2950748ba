package webhooks_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/webhooks"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// The test vector that every Standard Webhooks library checks itself against.
func TestSignatureMatchesTheSpecificationsVector(t *testing.T) {
	t.Parallel()
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sig, err := webhooks.Signature("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`), []string{secret})
	require.NoError(t, err)
	require.Equal(t, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", sig)
}

// During a rotation both secrets sign, and a receiver holding either verifies.
func TestSignatureWithTwoSecretsVerifiesWithEither(t *testing.T) {
	t.Parallel()
	old, current := webhooks.NewSecret(), webhooks.NewSecret()
	require.True(t, strings.HasPrefix(current, webhooks.SecretPrefix))
	require.NotEqual(t, old, current)
	now := time.Now()
	payload := []byte(`{"type":"ping"}`)
	sig, err := webhooks.Signature("0193b4a2-0000-7000-8000-000000000001", now, payload, []string{current, old})
	require.NoError(t, err)
	require.Len(t, strings.Fields(sig), 2)
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, "0193b4a2-0000-7000-8000-000000000001")
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	for _, s := range []string{old, current} {
		wh, err := standardwebhooks.NewWebhook(s)
		require.NoError(t, err)
		require.NoError(t, wh.Verify(payload, h))
		require.Error(t, wh.Verify([]byte(`{"type":"pong"}`), h), "a tampered body does not verify")
	}
	stranger, err := standardwebhooks.NewWebhook(webhooks.NewSecret())
	require.NoError(t, err)
	require.Error(t, stranger.Verify(payload, h))
}

func TestSecretBox(t *testing.T) {
	t.Parallel()
	master := []byte("a master secret of at least thirty-two bytes")
	k1, k2 := webhooks.DeriveKey("k1", master), webhooks.DeriveKey("k2", master)
	require.NotEqual(t, k1.Secret, k2.Secret, "each id gets its own key")
	box1, err := webhooks.NewSecretBox([]webhooks.Key{k1})
	require.NoError(t, err)
	secret := webhooks.NewSecret()
	sealed := box1.Seal(secret, "endpoint-a")
	require.True(t, strings.HasPrefix(sealed, "k1:"))
	require.NotContains(t, sealed, strings.TrimPrefix(secret, webhooks.SecretPrefix))

	got, err := box1.Open(sealed, "endpoint-a")
	require.NoError(t, err)
	require.Equal(t, secret, got)
	_, err = box1.Open(sealed, "endpoint-b")
	require.ErrorIs(t, err, webhooks.ErrSecretUnreadable, "bound to its endpoint")

	// Rotation: the new key seals, the old one still opens.
	box21, err := webhooks.NewSecretBox([]webhooks.Key{k2, k1})
	require.NoError(t, err)
	got, err = box21.Open(sealed, "endpoint-a")
	require.NoError(t, err)
	require.Equal(t, secret, got)
	require.True(t, strings.HasPrefix(box21.Seal(secret, "endpoint-a"), "k2:"))
	box2, err := webhooks.NewSecretBox([]webhooks.Key{k2})
	require.NoError(t, err)
	_, err = box2.Open(sealed, "endpoint-a")
	require.ErrorIs(t, err, webhooks.ErrSecretUnreadable, "a key that is gone opens nothing")
	_, err = box1.Open(sealed[:len(sealed)-2]+"AA", "endpoint-a")
	require.ErrorIs(t, err, webhooks.ErrSecretUnreadable)
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	strict := webhooks.Policy{}
	local := webhooks.Policy{AllowHTTPHosts: []string{"localhost", "127.0.0.1"},
		AllowPrivateNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	for _, tc := range []struct {
		policy webhooks.Policy
		url    string
		ok     bool
	}{
		{strict, "https://hooks.example.com/invited", true},
		{strict, "https://hooks.example.com:8443/invited?token=abc", true},
		{strict, "http://hooks.example.com/invited", false},
		{strict, "ftp://hooks.example.com/", false},
		{strict, "/relative", false},
		{strict, "https://user:pass@hooks.example.com/", false},
		{strict, "https://hooks.example.com/#frag", false},
		{strict, "https://127.0.0.1/", false},
		{strict, "https://169.254.169.254/latest/meta-data/", false},
		{strict, "https://10.1.2.3/", false},
		{strict, "https://[::1]/", false},
		{strict, "https://[::ffff:127.0.0.1]/", false},
		{strict, "https://[fd00:ec2::254]/", false},
		{strict, "https://" + strings.Repeat("a", 2050) + ".com/", false},
		{local, "http://localhost:8080/hook", true},
		{local, "http://127.0.0.1:8080/hook", true},
		{local, "http://LOCALHOST:8080/hook", true},
		{local, "http://hooks.example.com/", false},
		{local, "https://10.1.2.3/", false},
	} {
		_, err := tc.policy.CheckURL(tc.url)
		if tc.ok {
			require.NoError(t, err, tc.url)
			continue
		}
		var ue *webhooks.URLError
		require.ErrorAs(t, err, &ue, tc.url)
	}
}

// With the allow-settings unset, the client never connects to loopback or
// link-local addresses, however the URL names them: checked against the
// address being dialed, after resolution.
func TestClientRefusesNonPublicAddresses(t *testing.T) {
	t.Parallel()
	recv := webhooktest.NewReceiver(t)
	_, port, _ := strings.Cut(recv.Host, ":")
	resolver := webhooktest.NewResolver(t, map[string]string{"rebind.test": "127.0.0.1", "metadata.test": "169.254.169.254"})
	secret := webhooks.NewSecret()
	recv.Trust(secret)
	msg := webhooks.Message{ID: "0193b4a2-0000-7000-8000-000000000002", Payload: []byte(`{"id":"0193b4a2-0000-7000-8000-000000000002","type":"ping"}`),
		Secrets: []string{secret}}
	// Plain http is allowed for these hosts so that the refusal comes from the address alone.
	httpOnly := webhooks.Policy{AllowHTTPHosts: []string{"rebind.test", "metadata.test", "localhost"}}
	strict := webhooks.NewClient(webhooks.ClientOptions{Policy: httpOnly, Resolver: resolver, Timeout: 2 * time.Second})
	for _, url := range []string{
		"http://rebind.test:" + port + "/hook",   // a name resolving to 127.0.0.1
		"http://metadata.test:" + port + "/hook", // a name resolving to the metadata address
		"http://localhost:" + port + "/hook",     // from /etc/hosts
	} {
		r := strict.Send(context.Background(), url, msg)
		require.ErrorIs(t, r.Err, webhooks.ErrAddressRefused, url)
		require.Zero(t, r.StatusCode)
	}
	for _, url := range []string{"https://127.0.0.1:" + port + "/hook", "https://169.254.169.254/latest/meta-data/"} {
		r := strict.Send(context.Background(), url, msg)
		var ue *webhooks.URLError
		require.ErrorAs(t, r.Err, &ue, url)
	}
	require.Empty(t, recv.Accepted(), "nothing reached the receiver")

	// Listed, the same name goes through.
	allowed := webhooks.NewClient(webhooks.ClientOptions{Resolver: resolver, Policy: webhooks.Policy{AllowHTTPHosts: []string{"rebind.test"},
		AllowPrivateNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}})
	r := allowed.Send(context.Background(), "http://rebind.test:"+port+"/hook", msg)
	require.NoError(t, r.Err)
	require.Equal(t, http.StatusNoContent, r.StatusCode)
	require.Len(t, recv.Accepted(), 1)
}

func TestClientLimits(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leaving
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 64<<10)))
		case "/slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		case "/limited":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			t.Errorf("unexpected request to %s", r.URL.Path)
		}
	}))
	t.Cleanup(srv.Close)
	policy := webhooks.Policy{AllowHTTPHosts: []string{"127.0.0.1"}, AllowPrivateNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	c := webhooks.NewClient(webhooks.ClientOptions{Policy: policy, Timeout: 300 * time.Millisecond})
	msg := webhooks.Message{ID: "m", Payload: []byte(`{}`), Secrets: []string{webhooks.NewSecret()}}

	r := c.Send(context.Background(), srv.URL+"/redirect", msg)
	require.NoError(t, r.Err)
	require.Equal(t, http.StatusFound, r.StatusCode, "a redirect is an answer, not followed")
	require.Equal(t, int32(1), hits.Load())

	r = c.Send(context.Background(), srv.URL+"/big", msg)
	require.Len(t, r.Body, webhooks.MaxResponseBody)

	r = c.Send(context.Background(), srv.URL+"/slow", msg)
	require.True(t, r.Timeout(), "%v", r.Err)
	require.Less(t, r.Latency, 3*time.Second)

	r = c.Send(context.Background(), srv.URL+"/limited", msg)
	require.Equal(t, 2*time.Minute, r.RetryAfter)

	big := msg
	big.Payload = make([]byte, webhooks.MaxPayload+1)
	r = c.Send(context.Background(), srv.URL+"/never", big)
	require.True(t, errors.Is(r.Err, webhooks.ErrPayloadTooLarge))
}

// The client speaks https to a receiver whose certificate it trusts.
func TestClientOverTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	t.Cleanup(srv.Close)
	// The test certificate is for example.com; the test DNS points it here.
	resolver := webhooktest.NewResolver(t, map[string]string{"hooks.example.com": "127.0.0.1"})
	c := webhooks.NewClient(webhooks.ClientOptions{RootCAs: poolOf(srv), Resolver: resolver,
		Policy: webhooks.Policy{AllowPrivateNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}})
	r := c.Send(context.Background(), strings.Replace(srv.URL, "127.0.0.1", "hooks.example.com", 1)+"/hook",
		webhooks.Message{ID: "m", Payload: []byte(`{}`), Secrets: []string{webhooks.NewSecret()}})
	require.NoError(t, r.Err)
	require.Equal(t, http.StatusOK, r.StatusCode)
}
