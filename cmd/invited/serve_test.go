package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/mail/sendgridtest"
)

// password passes the service's password policy.
const password = "plum-harbor-violet-7-engine"

// waitFor polls until check finds what it looks for in s.
func waitFor(t *testing.T, what string, s *syncBuffer, check func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := s.String()
		if check(out) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %s; output so far:\n%s", what, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// withEnv is a fresh SQLite environment (text logs, as make run has them)
// with extra variables on top.
func withEnv(t *testing.T, extra map[string]string) map[string]string {
	env := sqliteEnv(t)
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// call sends a JSON request to the server and decodes a JSON answer into out.
func (s *server) call(t *testing.T, method, path, token string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.url+path, r)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && len(raw) > 0 && resp.StatusCode < 300 {
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
	return resp.StatusCode
}

// acceptInvite activates an account with the token of an activation link
// and returns the access token.
func (s *server) acceptInvite(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	var accepted struct {
		AccessToken string `json:"access_token"`
	}
	status := s.call(t, http.MethodPost, "/invites/accept", "", map[string]string{"token": u.Query().Get("token"), "password": password}, &accepted)
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, accepted.AccessToken)
	return accepted.AccessToken
}

// `make run` without SENDGRID_API_KEY: every invitation email, link
// included, shows up in the log, and the link works. The owner's invitation
// is queued by `org create` before any server runs and is sent when one
// starts.
func TestServeWithoutSendGridLogsTheLink(t *testing.T) {
	t.Parallel()
	env := withEnv(t, nil)
	out := mustRun(t, env, "org", "create", "--slug", "acme", "--name", "Acme Learning", "--owner-email", "owner@acme.test")
	require.Contains(t, out, "the owner was sent an invitation")

	s := startServer(t, env)
	// Without APP_BASE_URL, links open the server's own activation page.
	logged := regexp.MustCompile(`invitation email not sent: development log sender.* to=(\S+) .*link="?(` + regexp.QuoteMeta(s.url) +
		`/activate\?token=[A-Za-z0-9_-]+)`)
	linkFor := func(email string) string {
		t.Helper()
		log := waitFor(t, "the invitation to "+email+" in the log", s.stderr, func(log string) bool {
			for _, m := range logged.FindAllStringSubmatch(log, -1) {
				if m[1] == email {
					return true
				}
			}
			return false
		})
		for _, m := range logged.FindAllStringSubmatch(log, -1) {
			if m[1] == email {
				return m[2]
			}
		}
		return ""
	}
	require.Contains(t, s.stderr.String(), "SENDGRID_API_KEY is not set")

	token := s.acceptInvite(t, linkFor("owner@acme.test"))
	require.Equal(t, http.StatusCreated, s.call(t, http.MethodPost, "/users", token,
		map[string]any{"email": "ada@acme.test", "first_name": "Ada"}, nil))
	s.acceptInvite(t, linkFor("ada@acme.test"))

	s.stop()
	require.NoError(t, s.wait())
}

// With SendGrid configured through the environment, the binary sends
// through the configured API host, from MAIL_FROM, logs no link, and takes
// events signed with SENDGRID_WEBHOOK_PUBLIC_KEY.
func TestServeWithSendGrid(t *testing.T) {
	t.Parallel()
	for _, templateID := range []string{"", "d-5b1f0e2c11a84e8d9d0e"} {
		name := "built-in templates"
		if templateID != "" {
			name = "dynamic template"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fake := sendgridtest.NewServer(t)
			priv, pub := sendgridtest.NewWebhookKey(t)
			env := withEnv(t, map[string]string{
				"SENDGRID_API_KEY":            fake.APIKey,
				"SENDGRID_API_URL":            fake.URL,
				"SENDGRID_TEMPLATE_ID":        templateID,
				"SENDGRID_WEBHOOK_PUBLIC_KEY": pub,
				"MAIL_FROM":                   "Acme Learning <learning@acme.test>",
				"APP_BASE_URL":                "https://learn.acme.test",
			})
			mustRun(t, env, "org", "create", "--slug", "acme", "--name", "Acme Learning", "--owner-email", "owner@acme.test")
			s := startServer(t, env)

			msg := fake.WaitForMessages(t, 1, 20*time.Second)[0]
			require.Equal(t, "learning@acme.test", msg.Request.From.Address)
			require.Equal(t, "Acme Learning", msg.Request.From.Name)
			require.Equal(t, templateID, msg.Request.TemplateID)
			p := msg.Personalizations[0]
			require.Equal(t, "owner@acme.test", p.Email)
			link := regexp.MustCompile(`https://learn\.acme\.test/activate\?token=[A-Za-z0-9_-]+`).FindString(p.Text)
			if templateID != "" {
				link, _ = p.TemplateData["link"].(string)
			}
			require.True(t, strings.HasPrefix(link, "https://learn.acme.test/activate?token="), link)
			require.NotContains(t, s.stderr.String(), link, "a real provider gets the link, the log does not")
			require.NotContains(t, s.stderr.String(), fake.APIKey)

			body := sendgridtest.EventJSON(sendgridtest.Event{Type: sendgridtest.Delivered, MessageID: msg.ID, Email: p.Email,
				InviteID: p.CustomArgs["invite_id"], OrganizationID: p.CustomArgs["organization_id"]})
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url+"/webhooks/sendgrid", bytes.NewReader(body))
			require.NoError(t, err)
			req.Header = sendgridtest.WebhookHeaders(priv, time.Now(), body)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusNoContent, resp.StatusCode)

			token := s.acceptInvite(t, link)
			var list struct {
				Data []struct {
					Email string `json:"email"`
				} `json:"data"`
			}
			require.Equal(t, http.StatusOK, s.call(t, http.MethodGet, "/users?delivery_status=delivered", token, nil, &list))
			require.Len(t, list.Data, 1)
			require.Equal(t, "owner@acme.test", list.Data[0].Email)
			s.stop()
			require.NoError(t, s.wait())
		})
	}
}
