// Package webhooktest is a webhook receiver for tests: a local HTTP server
// that verifies every request's signature with the Standard Webhooks
// library, as a real receiver would, refuses those that don't verify,
// records what it accepted, and answers as a test scripts it. It also has a
// DNS server, so that tests resolve made-up names without any external DNS.
package webhooktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/invitedhq/invited/internal/testwait"
)

// Received is one request the receiver accepted.
type Received struct {
	ID        string
	Timestamp string
	Signature string
	Body      []byte
	// Type, Data… are the decoded body.
	Event Event
	// VerifiedWith lists the trusted secrets (by their position in Trust)
	// whose signature the request carried.
	VerifiedWith []int
	// Attempt counts the requests with this webhook id, this one included.
	Attempt int
	At      time.Time
}

// Event is a webhook body.
type Event struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	CreatedAt      time.Time       `json:"created_at"`
	OrganizationID string          `json:"organization_id"`
	Data           json.RawMessage `json:"data"`
}

// Answer is how the receiver answers a request it accepted.
type Answer struct {
	Status int
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// Delay holds the answer back, to make the sender time out.
	Delay time.Duration
	Body  string
}

// Receiver is a running test receiver.
type Receiver struct {
	// URL is where it listens, http://127.0.0.1:port/hook.
	URL string
	// Host is the host:port part of URL.
	Host string

	srv      *httptest.Server
	mu       sync.Mutex
	secrets  []string
	accepted []Received
	rejected []string
	attempts map[string]int
	answer   func(Received) Answer
	after    func()
	stop     chan struct{}
}

// NewReceiver starts a receiver that answers 204 until told otherwise and
// stops with the test.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{attempts: map[string]int{}, stop: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() {
		close(r.stop) // release requests held back by Delay
		r.srv.Close()
	})
	u, _ := url.Parse(r.srv.URL)
	r.Host = u.Host
	r.URL = r.srv.URL + "/hook"
	return r
}

// Trust adds secrets whose signatures the receiver accepts.
func (r *Receiver) Trust(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, secrets...)
}

// AfterAnswer sets a function called after each answer to a verified request.
func (r *Receiver) AfterAnswer(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.after = fn
}

// Respond sets how the receiver answers each accepted request.
func (r *Receiver) Respond(fn func(Received) Answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answer = fn
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil || req.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	secrets := append([]string(nil), r.secrets...)
	r.mu.Unlock()
	got := Received{ID: req.Header.Get(standardwebhooks.HeaderWebhookID), Timestamp: req.Header.Get(standardwebhooks.HeaderWebhookTimestamp),
		Signature: req.Header.Get(standardwebhooks.HeaderWebhookSignature), Body: body, At: time.Now()}
	for i, s := range secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err == nil && wh.Verify(body, req.Header) == nil {
			got.VerifiedWith = append(got.VerifiedWith, i)
		}
	}
	if len(got.VerifiedWith) == 0 || json.Unmarshal(body, &got.Event) != nil || got.Event.ID != got.ID {
		r.mu.Lock()
		r.rejected = append(r.rejected, got.ID)
		r.mu.Unlock()
		http.Error(w, "signature does not verify", http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	r.attempts[got.ID]++
	got.Attempt = r.attempts[got.ID]
	answer := Answer{Status: http.StatusNoContent}
	if r.answer != nil {
		answer = r.answer(got)
	}
	after := r.after
	r.mu.Unlock()
	if after != nil {
		defer after()
	}
	if answer.Delay > 0 {
		select {
		case <-time.After(answer.Delay):
		case <-req.Context().Done():
			return // the sender gave up: nothing was delivered
		case <-r.stop:
			return
		}
	}
	if answer.Status/100 == 2 {
		r.mu.Lock()
		r.accepted = append(r.accepted, got)
		r.mu.Unlock()
	}
	if answer.RetryAfter != "" {
		w.Header().Set("Retry-After", answer.RetryAfter)
	}
	w.WriteHeader(answer.Status)
	_, _ = io.WriteString(w, answer.Body)
}

// Accepted returns the requests answered with 2xx, in arrival order.
func (r *Receiver) Accepted() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.accepted...)
}

// Rejected returns the webhook ids of requests whose signature did not verify.
func (r *Receiver) Rejected() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.rejected...)
}

// Attempts is how many verified requests carried the webhook id.
func (r *Receiver) Attempts(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts[id]
}

// WaitFor polls until n requests were accepted and returns them; it fails
// the test after timeout.
func (r *Receiver) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	timeout = testwait.Deadline(timeout)
	deadline := time.Now().Add(timeout)
	for {
		got := r.Accepted()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver accepted %d webhooks, want %d, within %s (rejected %d)", len(got), n, timeout, len(r.Rejected()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Types lists the event types of the accepted requests, in order.
func Types(rs []Received) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Event.Type
	}
	return out
}

// Status is an Answer with a status code.
func Status(code int) Answer { return Answer{Status: code} }

// RetryAfterSeconds is a 429 answer asking to wait n seconds.
func RetryAfterSeconds(n int) Answer {
	return Answer{Status: http.StatusTooManyRequests, RetryAfter: strconv.Itoa(n)}
}
