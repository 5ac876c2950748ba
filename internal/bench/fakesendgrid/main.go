// Command fakesendgrid is a lean stand-in for SendGrid's mail send API for
// load tests: it accepts every well-formed request carrying its API key
// with 202, as SendGrid does, and records when each personalization
// arrived, by its invite_id custom arg. GET /bench/arrivals answers one
// line per recipient recorded since the previous such request,
// "invite_id unix_microseconds call_number", and forgets them; SIGINT or
// SIGTERM stops it.
//
// It checks far less than internal/mail/sendgridtest (which the tests use)
// on purpose: it shares the machine with the server under test, and its
// CPU is not the server's.
//
//	fakesendgrid -addr 127.0.0.1:18025 -key SG.bench &
//	curl -s http://127.0.0.1:18025/bench/arrivals > arrivals.txt
//
// It only listens on the loopback interface.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "fakesendgrid:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("fakesendgrid", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18025", "address to listen on (loopback only)")
	key := fs.String("key", "", "the API key to accept (required)")
	latency := fs.Duration("latency", 0, "how long to wait before each answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *key == "" {
		return errors.New("-key is required")
	}
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr must be a loopback address such as 127.0.0.1:18025, got %q", *addr)
	}
	f := &fake{key: "Bearer " + *key, latency: *latency}
	srv := &http.Server{Addr: *addr, Handler: f, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

// arrival is one recipient accepted, in the call-th request.
type arrival struct {
	inviteID string
	at       time.Time
	call     int64
}

type fake struct {
	key     string
	latency time.Duration

	mu       sync.Mutex
	arrivals []arrival
	calls    int64
}

// request is the part of a mail send request the fake reads.
type request struct {
	Personalizations []struct {
		To []struct {
			Email string `json:"email"`
		} `json:"to"`
		CustomArgs map[string]string `json:"custom_args"`
	} `json:"personalizations"`
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/bench/arrivals" && r.Method == http.MethodGet:
		f.drain(w)
		return
	case r.URL.Path != "/v3/mail/send" || r.Method != http.MethodPost:
		http.Error(w, `{"errors":[{"message":"resource not found"}]}`, http.StatusNotFound)
		return
	case r.Header.Get("Authorization") != f.key:
		http.Error(w, `{"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked"}]}`, http.StatusUnauthorized)
		return
	}
	var req request
	if err := json.NewDecoder(io.LimitReader(r.Body, 30<<20)).Decode(&req); err != nil || len(req.Personalizations) == 0 {
		http.Error(w, `{"errors":[{"message":"Bad Request"}]}`, http.StatusBadRequest)
		return
	}
	now := time.Now()
	f.mu.Lock()
	f.calls++
	for _, p := range req.Personalizations {
		f.arrivals = append(f.arrivals, arrival{inviteID: p.CustomArgs["invite_id"], at: now, call: f.calls})
	}
	f.mu.Unlock()
	if f.latency > 0 {
		time.Sleep(f.latency)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	w.Header().Set("X-Message-Id", hex.EncodeToString(id))
	w.WriteHeader(http.StatusAccepted)
}

// drain writes the arrivals recorded so far and forgets them.
func (f *fake) drain(w http.ResponseWriter) {
	f.mu.Lock()
	arrivals := f.arrivals
	f.arrivals = nil
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	bw := bufio.NewWriter(w)
	for _, a := range arrivals {
		_, _ = bw.WriteString(a.inviteID + " " + strconv.FormatInt(a.at.UnixMicro(), 10) + " " + strconv.FormatInt(a.call, 10) + "\n")
	}
	_ = bw.Flush()
}
