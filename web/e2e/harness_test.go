// Package e2e runs the console and the TypeScript client against the real
// binary: it builds cmd/invited, seeds a database of each dialect, starts
// the binary on it with the fake SendGrid as its email provider, and runs
// the Node test suites (Playwright driving Debian's Chromium for the
// console) against it. The suites reach the fake's mailbox, and make it
// report delivery events, through a small control server.
package e2e

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/testdb"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// TestMain drops the PostgreSQL template when the tests are done.
func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// requireTools skips the test, with a message saying what is missing,
// unless REQUIRE_BROWSER=1 (as in CI), where a missing tool fails it.
func requireTools(t *testing.T, dirs ...string) {
	t.Helper()
	var missing []string
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node is not on PATH")
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "node_modules")); err != nil {
			missing = append(missing, fmt.Sprintf("%s/node_modules is missing (run make web)", d))
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "browser and client tests need Node.js and the npm packages: " + strings.Join(missing, "; ")
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (REQUIRE_BROWSER=1 makes this a failure)")
}

// chromium is the browser binary: CHROMIUM, or Debian's.
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		msg := "browser tests need Chromium at " + path + " (apt-get install chromium, or set CHROMIUM)"
		if os.Getenv("REQUIRE_BROWSER") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (REQUIRE_BROWSER=1 makes this a failure)")
	}
	return path
}

var binary struct {
	once sync.Once
	path string
	err  error
}

// invitedBinary builds cmd/invited once per test run.
func invitedBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "invited-e2e-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "invited")
		cmd := exec.Command("go", "build", "-o", binary.path, "./cmd/invited")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build ./cmd/invited: %w\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// site is one running invited with its database seeded, its fake SendGrid
// and the control server the suites use.
type site struct {
	URL        string
	ControlURL string
	Fixtures   fixtures
	env        *apitest.Env
	sendgrid   *sendgridtest.Server
	webhookKey *ecdsa.PrivateKey
	logs       *apitest.LogBuffer
	// receiver is the organization's webhook receiver: it verifies every
	// request with the Standard Webhooks library against the secrets the
	// suite tells it to trust.
	receiver *webhooktest.Receiver
	answer   struct {
		sync.Mutex
		status int
	}
}

// startSite seeds a fresh database of the dialect and starts the binary on it.
func startSite(t *testing.T, dialect config.Dialect) *site {
	t.Helper()
	url := testdb.NewURL(t, dialect)
	// The seeding service shares the binary's secrets, so that the links
	// it makes are the binary's too.
	env := apitest.New(t, dialect, apitest.Options{DatabaseURL: url})
	s := &site{env: env, sendgrid: sendgridtest.NewServer(t), logs: &apitest.LogBuffer{}, receiver: webhooktest.NewReceiver(t)}
	s.answer.status = http.StatusNoContent
	s.receiver.Respond(func(webhooktest.Received) webhooktest.Answer {
		s.answer.Lock()
		defer s.answer.Unlock()
		return webhooktest.Answer{Status: s.answer.status}
	})
	s.Fixtures = seed(t, env)
	_ = env.DB.Close() // the binary owns the database from here on

	priv, pub := sendgridtest.NewWebhookKey(t)
	s.webhookKey = priv
	key := auth.DeriveSigningKey("t1", apitest.TestSecret)
	cmd := exec.Command(invitedBinary(t), "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+url,
		"HTTP_ADDR=127.0.0.1:0",
		"JWT_SECRET="+string(apitest.TestSecret),
		"INVITE_TOKEN_KEYS=t1:"+base64.StdEncoding.EncodeToString(key.Secret),
		"SENDGRID_API_KEY="+s.sendgrid.APIKey,
		"SENDGRID_API_URL="+s.sendgrid.URL,
		"SENDGRID_WEBHOOK_PUBLIC_KEY="+pub,
		"MAIL_FROM=Acme Learning <people@acme.test>",
		"PUBLIC_RATE_LIMIT=100000",
		"LOG_FORMAT=json",
		"LOG_LEVEL=info",
		"SHUTDOWN_TIMEOUT=5s",
		// The receiver is a plain-http server on the loopback: allowed here
		// only, as for local development.
		"WEBHOOK_ALLOW_HTTP_HOSTS=127.0.0.1",
		"WEBHOOK_ALLOW_PRIVATE_NETWORKS=127.0.0.0/8",
		// No lookup leaves the machine: the made-up domains of the seed
		// have no mail server anywhere.
		"DNS_RESOLVER=off",
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "invited listening on "); ok {
			s.URL = rest
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if s.URL == "" {
		t.Fatalf("invited did not start:\n%s", s.logs.String())
	}
	control := httptest.NewServer(s.controlRoutes(t))
	t.Cleanup(control.Close)
	s.ControlURL = control.URL
	return s
}

// runSuite runs `npm run <script>` in dir against the site and fails the
// test when the suite fails; its output goes to the test log.
func (s *site) runSuite(t *testing.T, dir, script string, extra ...string) {
	t.Helper()
	fx, err := json.Marshal(s.Fixtures)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute) // the dialects run in parallel on a busy machine
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "run", "--silent", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{
		"INVITED_URL=" + s.URL,
		"CONTROL_URL=" + s.ControlURL,
		"WEBHOOK_RECEIVER_URL=" + s.receiver.URL,
		"FIXTURES=" + string(fx),
		"INVITED_ORG=" + s.Fixtures.Org,
		"INVITED_EMAIL=" + s.Fixtures.Owner.Email,
		"INVITED_PASSWORD=" + s.Fixtures.Owner.Password,
	}, extra...)...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s (npm run %s):\n%s", dir, script, out)
	if err != nil {
		t.Fatalf("npm run %s in %s: %v\nserver log:\n%s", script, dir, err, s.logs.String())
	}
	if secret := "plum-harbor-violet"; strings.Contains(s.logs.String(), secret) {
		t.Errorf("the server logged a password")
	}
	for _, tok := range regexp.MustCompile(`"refresh_token"\s*:\s*"([^"]+)"`).FindAllString(s.logs.String(), -1) {
		t.Errorf("the server logged a refresh token: %s", tok)
	}
}

// controlRoutes is what the suites may ask of the outside world: the
// mailbox of the fake SendGrid, and delivery events about its messages.
func (s *site) controlRoutes(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
		to := strings.ToLower(r.URL.Query().Get("to"))
		out := []mailboxMessage{}
		for _, m := range s.sendgrid.Messages() {
			for _, p := range m.Personalizations {
				if to != "" && strings.ToLower(p.Email) != to {
					continue
				}
				out = append(out, mailboxMessage{ID: m.ID, To: p.Email, Subject: p.Subject, Text: p.Text,
					Links: activationLinks.FindAllString(p.Text, -1), InviteID: p.CustomArgs["invite_id"],
					OrganizationID: p.CustomArgs["organization_id"], Received: m.Received})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("POST /events", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			To, Type, BounceType, Reason string
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		status, err := s.deliveryEvent(r.Context(), req.To, req.Type, req.BounceType, req.Reason)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(status)
	})
	mux.HandleFunc("POST /receiver/trust", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Secret string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !strings.HasPrefix(req.Secret, "whsec_") {
			http.Error(w, "want {secret: whsec_…}", http.StatusBadRequest)
			return
		}
		s.receiver.Trust(req.Secret)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /receiver/answer", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Status int }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Status < 200 || req.Status > 599 {
			http.Error(w, "want {status: 200…599}", http.StatusBadRequest)
			return
		}
		s.answer.Lock()
		s.answer.status = req.Status
		s.answer.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /receiver/received", func(w http.ResponseWriter, r *http.Request) {
		type received struct {
			ID           string `json:"id"`
			Type         string `json:"type"`
			Attempt      int    `json:"attempt"`
			VerifiedWith []int  `json:"verified_with"`
		}
		out := []received{}
		for _, got := range s.receiver.Accepted() {
			out = append(out, received{ID: got.ID, Type: got.Event.Type, Attempt: got.Attempt, VerifiedWith: got.VerifiedWith})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"accepted": out, "rejected": append([]string{}, s.receiver.Rejected()...)})
	})
	return mux
}

var activationLinks = regexp.MustCompile(`https?://[^\s"'<>]+/activate\?token=[A-Za-z0-9_-]+`)

type mailboxMessage struct {
	ID             string    `json:"id"`
	To             string    `json:"to"`
	Subject        string    `json:"subject"`
	Text           string    `json:"text"`
	Links          []string  `json:"links"`
	InviteID       string    `json:"invite_id"`
	OrganizationID string    `json:"organization_id"`
	Received       time.Time `json:"received"`
}

// deliveryEvent has SendGrid report what became of the latest message to
// an address, signed as SendGrid signs its event webhook.
func (s *site) deliveryEvent(ctx context.Context, to, typ, bounceType, reason string) (int, error) {
	var last *mailboxMessage
	for _, m := range s.sendgrid.Messages() {
		for _, p := range m.Personalizations {
			if strings.EqualFold(p.Email, to) {
				last = &mailboxMessage{ID: m.ID, InviteID: p.CustomArgs["invite_id"], OrganizationID: p.CustomArgs["organization_id"]}
			}
		}
	}
	if last == nil {
		return 0, errors.New("no message to " + to)
	}
	body := sendgridtest.EventJSON(sendgridtest.Event{Type: typ, Email: to, MessageID: last.ID, InviteID: last.InviteID,
		OrganizationID: last.OrganizationID, Reason: reason, BounceType: bounceType})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/webhooks/sendgrid", strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	req.Header = sendgridtest.WebhookHeaders(s.webhookKey, time.Now(), body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
