// Package sendgridtest is a fake SendGrid for tests: an HTTP server that
// checks v3 mail send requests the way SendGrid does, records the accepted
// messages as each recipient would see them, and can be told to fail in the
// ways the real service fails. It also signs webhook requests and writes
// realistic event batches.
package sendgridtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/invitedhq/invited/internal/testwait"
)

// SendPath is the only endpoint the fake serves.
const SendPath = "/v3/mail/send"

// maxBodyBytes is SendGrid's limit on the size of one mail send request.
const maxBodyBytes = 30 << 20

// Server is a running fake SendGrid. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure the client with.
	URL string
	// APIKey is the only key the fake accepts.
	APIKey string

	srv  *httptest.Server
	done chan struct{} // closed at cleanup to release hanging handlers

	mu       sync.Mutex
	requests int
	arrivals []time.Time
	messages []Message
	script   []rule
	arrived  chan struct{} // closed and replaced whenever a message is recorded
	latency  time.Duration
	held     chan struct{}   // while not nil, accepted requests wait for it to close before answering
	refused  map[string]bool // addresses answered with 400 wherever they appear
	// inFlight and peakInFlight count the recipients of accepted requests
	// not answered yet, now and at most.
	inFlight, peakInFlight int
}

// NewServer starts a fake SendGrid that is shut down when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		APIKey:  "SG." + randomID(16) + "." + randomID(32),
		done:    make(chan struct{}),
		arrived: make(chan struct{}),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(func() {
		// Release hanging handlers first: Close waits for every handler.
		close(s.done)
		s.srv.Close()
	})
	return s
}

// Requests counts the API calls received, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Arrivals returns when each API call arrived, failed ones included, in
// order.
func (s *Server) Arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals...)
}

// Messages returns the accepted messages in the order they arrived.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// WaitForMessages waits until at least n messages were accepted and returns
// them all; the test fails if that takes longer than timeout.
func (s *Server) WaitForMessages(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	s.waitUntil(t, timeout, fmt.Sprintf("%d messages", n), func() int { return len(s.messages) }, n)
	return s.Messages()
}

// Recipients returns the personalizations of the accepted messages, in
// the order they arrived.
func (s *Server) Recipients() []Personalization {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Personalization
	for _, m := range s.messages {
		out = append(out, m.Personalizations...)
	}
	return out
}

// WaitForRecipients waits until the accepted messages address at least n
// personalizations, however they were grouped into messages, and returns
// them all; the test fails if that takes longer than timeout.
func (s *Server) WaitForRecipients(t testing.TB, n int, timeout time.Duration) []Personalization {
	t.Helper()
	s.waitUntil(t, timeout, fmt.Sprintf("%d recipients", n), func() int {
		got := 0
		for _, m := range s.messages {
			got += len(m.Personalizations)
		}
		return got
	}, n)
	return s.Recipients()
}

// waitUntil waits, woken by each accepted message, until count (called
// with s.mu held) reaches n; the test fails after timeout.
func (s *Server) waitUntil(t testing.TB, timeout time.Duration, what string, count func() int, n int) {
	t.Helper()
	timeout = testwait.Deadline(timeout)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, arrived := count(), s.arrived
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("sendgridtest: waited %s for %s, got %d", timeout, what, got)
			return
		}
	}
}

// SetLatency makes the fake wait d after accepting each message before it
// answers, as a provider far away does: a client that dies meanwhile
// never learns that its message was accepted.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Hold makes the fake keep the answers of the requests it accepts from
// now on until release is called: the messages are recorded, the clients
// wait.
func (s *Server) Hold() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held := make(chan struct{})
	s.held = held
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.held == held {
				s.held = nil
			}
			s.mu.Unlock()
			close(held)
		})
	}
}

// PeakUnanswered is the largest number of recipients that accepted
// messages not answered yet carried at one time: what a client that died
// at the worst moment would not know to be sent.
func (s *Server) PeakUnanswered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakInFlight
}

// Reset forgets the scripted answers, the recorded messages and the request
// count.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = nil
	s.messages = nil
	s.requests = 0
	s.arrivals = nil
	s.peakInFlight = s.inFlight
	s.refused = nil
}

// RefuseAddress makes the fake refuse every request that addresses email,
// with a 400 naming each personalization that holds it, as SendGrid does
// for an address it cannot take: the rest of the request is fine, and a
// request without that personalization goes through.
func (s *Server) RefuseAddress(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = map[string]bool{}
	}
	s.refused[email] = true
}

// refusals lists the errors for the refused addresses in msg.
func (s *Server) refusals(msg Message) []apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []apiError
	for i, p := range msg.Personalizations {
		for j, to := range p.To {
			if s.refused[to] {
				errs = append(errs, newAPIError(fmt.Sprintf("personalizations.%d.to.%d.email", i, j), "Does not contain a valid address."))
			}
		}
	}
	return errs
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	s.mu.Lock()
	s.requests++
	s.arrivals = append(s.arrivals, arrived)
	act, scripted := s.next()
	s.mu.Unlock()

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if scripted && act.kind != acceptAndDrop {
		s.perform(w, r, act, arrived)
		return
	}
	if status, apiErr := checkRequest(r, s.APIKey, body); apiErr != nil {
		writeErrors(w, status, apiErr...)
		return
	}
	msg, apiErrs := parseMessage(body)
	if len(apiErrs) == 0 {
		apiErrs = s.refusals(msg)
	}
	if len(apiErrs) > 0 {
		writeErrors(w, http.StatusBadRequest, apiErrs...)
		return
	}
	msg.ID = randomID(16)
	msg.Received = time.Now()

	s.mu.Lock()
	s.messages = append(s.messages, msg)
	close(s.arrived)
	s.arrived = make(chan struct{})
	n, latency, held := len(msg.Personalizations), s.latency, s.held
	s.inFlight += n
	s.peakInFlight = max(s.peakInFlight, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight -= n
		s.mu.Unlock()
	}()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-s.done:
		}
	}
	if held != nil {
		select {
		case <-held:
		case <-s.done:
		}
	}

	if scripted {
		// Accepted, but the answer is lost on the way back.
		s.perform(w, r, act, arrived)
		return
	}
	w.Header().Set("X-Message-Id", msg.ID)
	w.WriteHeader(http.StatusAccepted)
}

// apiError is one entry of SendGrid's error body.
type apiError struct {
	Message string  `json:"message"`
	Field   *string `json:"field"`
	Help    *string `json:"help"`
}

func newAPIError(field, message string) apiError {
	e := apiError{Message: message}
	if field != "" {
		e.Field = &field
	}
	return e
}

func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Errors []apiError `json:"errors"`
	}{errs})
}

// randomID is n random bytes in URL-safe base64, the alphabet of SendGrid's
// message ids and keys.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // documented never to fail
	return base64.RawURLEncoding.EncodeToString(b)
}
