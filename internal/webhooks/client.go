package webhooks

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Limits of one delivery attempt.
const (
	// DefaultTimeout bounds one request, from the first dial to the last
	// byte of the response read.
	DefaultTimeout = 10 * time.Second
	// MaxResponseBody is how much of an answer is read; the rest is ignored.
	MaxResponseBody = 4 << 10
	// MaxPayload bounds the body of one webhook.
	MaxPayload = 256 << 10
)

// UserAgent names the sender to receivers.
const UserAgent = "invited-webhooks/1"

// ErrPayloadTooLarge is the Result error for a payload over MaxPayload.
var ErrPayloadTooLarge = fmt.Errorf("the payload is larger than %d KiB", MaxPayload>>10)

// ClientOptions configure a Client; the zero value is production's.
type ClientOptions struct {
	Policy Policy
	// Timeout bounds one request; default DefaultTimeout.
	Timeout time.Duration
	// Resolver resolves endpoint names; nil is the system's. Tests point it
	// at a local DNS server.
	Resolver *net.Resolver
	// RootCAs are the certificate authorities trusted for https; nil is
	// the system's.
	RootCAs *x509.CertPool
	// Now is the clock of the webhook-timestamp header; default time.Now.
	// Receivers compare it with their own clock, so it is the wall clock.
	Now func() time.Time
}

// Client sends webhooks. It refuses, at connect time, every address the
// policy refuses; it never follows a redirect nor goes through a proxy.
// Safe for concurrent use.
type Client struct {
	hc     *http.Client
	policy Policy
	now    func() time.Time
}

// NewClient returns a Client.
func NewClient(o ClientOptions) *Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	guard := o.Policy.guardian()
	dialer := &net.Dialer{
		Timeout: o.Timeout, KeepAlive: 30 * time.Second, Resolver: o.Resolver,
		// Control sees the address actually being dialed, after resolution.
		Control: func(network, address string, c syscall.RawConn) error {
			if err := guard.Safe(network, address, c); err != nil {
				return fmt.Errorf("%w: %w", ErrAddressRefused, err)
			}
			return nil
		},
	}
	tr := &http.Transport{
		Proxy:       nil, // a proxy would be the address checked, not the endpoint
		DialContext: dialer.DialContext,
		TLSClientConfig: &tls.Config{
			RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12,
		},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    32,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 16 << 10,
	}
	return &Client{
		hc: &http.Client{Transport: tr, Timeout: o.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		policy: o.Policy, now: o.Now,
	}
}

// Message is one webhook: its id (the same for every attempt and every
// endpoint), its body, and the secrets to sign it with.
type Message struct {
	ID      string
	Payload []byte
	Secrets []string
}

// Result is what became of one attempt.
type Result struct {
	// StatusCode is the receiver's answer; 0 when there was none.
	StatusCode int
	// RetryAfter is the receiver's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Body is the start of the answer, at most MaxResponseBody bytes.
	Body    string
	Latency time.Duration
	// Err is why there was no answer: ErrAddressRefused, ErrPayloadTooLarge,
	// a refused URL (*URLError), a timeout or a connection error.
	Err error
}

// Timeout reports whether the attempt ran out of time.
func (r Result) Timeout() bool {
	var ne net.Error
	return errors.Is(r.Err, context.DeadlineExceeded) || (errors.As(r.Err, &ne) && ne.Timeout())
}

// Send posts the message to url, signed, and reads the start of the answer.
func (c *Client) Send(ctx context.Context, url string, m Message) Result {
	if len(m.Payload) > MaxPayload {
		return Result{Err: ErrPayloadTooLarge}
	}
	// The URL was checked when it was saved; the policy may have changed since.
	if _, err := c.policy.CheckURL(url); err != nil {
		return Result{Err: err}
	}
	at := c.now()
	sig, err := Signature(m.ID, at, m.Payload, m.Secrets)
	if err != nil {
		return Result{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(m.Payload))
	if err != nil {
		return Result{Err: &URLError{"the URL cannot be requested"}}
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", UserAgent)
	h.Set(standardwebhooks.HeaderWebhookID, m.ID)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return Result{Err: unwrapURLError(err), Latency: time.Since(start)}
	}
	defer resp.Body.Close()
	// The status line decides; a body cut short or slow changes nothing about it.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	return Result{StatusCode: resp.StatusCode, Body: strings.ToValidUTF8(string(body), "\uFFFD"), Latency: time.Since(start),
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), at)}
}

// unwrapURLError drops net/http's "Post <url>:" prefix: the URL may carry
// a token in its query, and the error is recorded and shown.
func unwrapURLError(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, 7*24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
