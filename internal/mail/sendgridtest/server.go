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
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
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
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, arrived := len(s.messages), s.arrived
		if got >= n {
			msgs := append([]Message(nil), s.messages...)
			s.mu.Unlock()
			return msgs
		}
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("sendgridtest: waited %s for %d messages, got %d", timeout, n, got)
			return nil
		}
	}
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
	s.mu.Unlock()

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
