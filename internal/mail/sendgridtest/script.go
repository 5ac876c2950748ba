package sendgridtest

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// Always makes a scripted answer apply to every request until Reset.
const Always = -1

type actionKind int

const (
	fail actionKind = iota
	rateLimit
	reject
	hang
	drop
	acceptAndDrop
)

// action is a scripted answer that replaces the normal handling of a request.
type action struct {
	kind    actionKind
	status  int
	message string
	reset   time.Time     // when a rate limit resets, or
	wait    time.Duration // how long after the request it resets
}

// rule applies an action to the next remaining requests, or to all of them
// when remaining is Always.
type rule struct {
	action
	remaining int
}

// FailNext answers the next n requests (or all with Always) with status and
// a generic SendGrid error body, e.g. 500 or 503.
func (s *Server) FailNext(n, status int) {
	s.add(n, action{kind: fail, status: status})
}

// RateLimitNext answers the next n requests (or all with Always) with 429,
// the X-RateLimit-* headers that SendGrid sends and a Retry-After, as if the
// limit resets at reset.
func (s *Server) RateLimitNext(n int, reset time.Time) {
	s.add(n, action{kind: rateLimit, status: http.StatusTooManyRequests, reset: reset})
}

// RateLimitNextFor is RateLimitNext with the limit resetting wait after
// each request arrives, so that a slow test run still gets the wait it asked
// for. SendGrid counts the reset in whole seconds, so the answer promises
// between wait-1s and wait.
func (s *Server) RateLimitNextFor(n int, wait time.Duration) {
	s.add(n, action{kind: rateLimit, status: http.StatusTooManyRequests, wait: wait})
}

// RejectNext answers the next n requests (or all with Always) with status
// and a SendGrid error body carrying message, e.g. 400 or 403.
func (s *Server) RejectNext(n, status int, message string) {
	s.add(n, action{kind: reject, status: status, message: message})
}

// HangNext makes the next n requests (or all with Always) wait without an
// answer until the client gives up or the server shuts down.
func (s *Server) HangNext(n int) {
	s.add(n, action{kind: hang})
}

// DropNext closes the connection of the next n requests (or all with
// Always) without any answer.
func (s *Server) DropNext(n int) {
	s.add(n, action{kind: drop})
}

// AcceptAndDropNext accepts and records the messages of the next n requests
// (or all with Always) as usual, then closes the connection instead of
// answering 202:
// the provider has the message but the client never learns it, as when the
// network fails or the sending process dies just after the send. Requests
// that fail the fake's checks are answered as usual.
func (s *Server) AcceptAndDropNext(n int) {
	s.add(n, action{kind: acceptAndDrop})
}

func (s *Server) add(n int, a action) {
	if n == 0 || n < Always {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, rule{action: a, remaining: n})
}

// next takes the scripted answer for the current request. s.mu must be held.
func (s *Server) next() (action, bool) {
	if len(s.script) == 0 {
		return action{}, false
	}
	head := &s.script[0]
	a := head.action
	if head.remaining != Always {
		head.remaining--
		if head.remaining == 0 {
			s.script = s.script[1:]
		}
	}
	return a, true
}

func (s *Server) perform(w http.ResponseWriter, r *http.Request, a action, arrived time.Time) {
	switch a.kind {
	case fail:
		writeErrors(w, a.status, newAPIError("", http.StatusText(a.status)))
	case rateLimit:
		if a.wait > 0 {
			a.reset = arrived.Add(a.wait)
		}
		wait := max(time.Until(a.reset), 0)
		w.Header().Set("X-RateLimit-Limit", "600")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(a.reset.Unix(), 10))
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeErrors(w, a.status, newAPIError("", "too many requests"))
	case reject:
		writeErrors(w, a.status, newAPIError("", a.message))
	case hang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		panic(http.ErrAbortHandler)
	case drop, acceptAndDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
}
