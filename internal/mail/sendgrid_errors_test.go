package mail_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
)

func TestSendGridClassifiesFailures(t *testing.T) {
	t.Parallel()

	const timeout = 300 * time.Millisecond
	tests := []struct {
		name       string
		script     func(fake *sendgridtest.Server)
		apiKey     string // replaces the fake's key when set
		permanent  bool
		status     int
		reason     string
		retryAfter time.Duration // expected within a second
		isTimeout  bool
	}{
		{name: "500", script: func(f *sendgridtest.Server) { f.FailNext(1, 500) }, status: 500, reason: "Internal Server Error"},
		{name: "503", script: func(f *sendgridtest.Server) { f.FailNext(1, 503) }, status: 503, reason: "Service Unavailable"},
		{
			name:       "429 with reset",
			script:     func(f *sendgridtest.Server) { f.RateLimitNext(1, time.Now().Add(40*time.Second)) },
			status:     429,
			reason:     "too many requests",
			retryAfter: 40 * time.Second,
		},
		{
			name: "400",
			script: func(f *sendgridtest.Server) {
				f.RejectNext(1, 400, "The content value must be a string at least one character in length.")
			},
			permanent: true, status: 400, reason: "The content value must be a string at least one character in length.",
		},
		{
			name:      "401 wrong key",
			apiKey:    "SG.revoked.key",
			permanent: true, status: 401, reason: "The provided authorization grant is invalid, expired, or revoked",
		},
		{
			name: "403",
			script: func(f *sendgridtest.Server) {
				f.RejectNext(1, 403, "The from address does not match a verified Sender Identity.")
			},
			permanent: true, status: 403, reason: "The from address does not match a verified Sender Identity.",
		},
		{
			name:      "404",
			script:    func(f *sendgridtest.Server) { f.RejectNext(1, 404, "resource not found") },
			permanent: true, status: 404, reason: "resource not found",
		},
		{
			name:      "413",
			script:    func(f *sendgridtest.Server) { f.RejectNext(1, 413, "Payload Too Large") },
			permanent: true, status: 413, reason: "Payload Too Large",
		},
		{name: "dropped connection", script: func(f *sendgridtest.Server) { f.DropNext(1) }, reason: "could not reach SendGrid"},
		{name: "no answer", script: func(f *sendgridtest.Server) { f.HangNext(1) }, reason: "no answer from SendGrid within 300ms", isTimeout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := sendgridtest.NewServer(t)
			if tt.script != nil {
				tt.script(fake)
			}
			key := fake.APIKey
			if tt.apiKey != "" {
				key = tt.apiKey
			}
			sg := newSendGrid(t, fake, func(c *mail.SendGridConfig) { c.APIKey = key; c.Timeout = timeout })

			start := time.Now()
			receipt, err := sg.Send(t.Context(), batchOf(2, time.Now()))
			elapsed := time.Since(start)

			require.Error(t, err)
			require.Empty(t, receipt.MessageID)
			require.NotContains(t, err.Error(), key)
			sendErr, ok := errors.AsType[*mail.Error](err)
			require.True(t, ok, "want *mail.Error, got %T: %v", err, err)
			require.Equal(t, tt.permanent, sendErr.Permanent)
			require.Equal(t, tt.status, sendErr.StatusCode)
			require.Equal(t, tt.reason, sendErr.Reason)
			require.InDelta(t, tt.retryAfter.Seconds(), sendErr.RetryAfter.Seconds(), 1.5)
			require.Equal(t, tt.isTimeout, errors.Is(err, context.DeadlineExceeded))
			if tt.isTimeout {
				require.GreaterOrEqual(t, elapsed, timeout)
			}
			require.Less(t, elapsed, timeout+time.Second)
			require.Equal(t, 1, fake.Requests())
			require.Empty(t, fake.Messages())
		})
	}
}

func TestSendGridConnectionRefusedIsTemporary(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	sg, err := mail.NewSendGrid(mail.SendGridConfig{APIKey: "SG.key", BaseURL: "http://" + addr, From: from})
	require.NoError(t, err)
	_, err = sg.Send(t.Context(), batchOf(1, time.Now()))
	sendErr, ok := errors.AsType[*mail.Error](err)
	require.True(t, ok, "want *mail.Error, got %T: %v", err, err)
	require.False(t, sendErr.Permanent)
	require.Zero(t, sendErr.StatusCode)
	require.Equal(t, "could not reach SendGrid", sendErr.Reason)
	require.NotContains(t, sendErr.Reason, addr, "the reason shown to administrators names no host")
}

func TestSendGridCancelledContextIsNotAProviderFailure(t *testing.T) {
	t.Parallel()
	fake := sendgridtest.NewServer(t)
	fake.HangNext(1)
	sg := newSendGrid(t, fake)

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := sg.Send(ctx, batchOf(1, time.Now()))
	require.ErrorIs(t, err, context.Canceled)
	_, isSendErr := errors.AsType[*mail.Error](err)
	require.False(t, isSendErr, "a shutdown says nothing about the provider")

	_, err = sg.Send(ctx, batchOf(1, time.Now()))
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, fake.Requests(), "no request once the context is done")
}

func TestSendGridRefusesInvalidBatchesWithoutARequest(t *testing.T) {
	t.Parallel()

	tooBig := batchOf(mail.MaxBatch+1, time.Now())
	badLink := batchOf(2, time.Now())
	badLink.Recipients[1].Link = "ftp://app.example/x"
	tests := []struct {
		name string
		b    mail.Batch
	}{
		{name: "more than MaxBatch", b: tooBig},
		{name: "empty", b: batchOf(0, time.Now())},
		{name: "bad link", b: badLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := sendgridtest.NewServer(t)
			sg := newSendGrid(t, fake)
			_, err := sg.Send(t.Context(), tt.b)
			require.ErrorIs(t, err, mail.ErrInvalidBatch)
			sendErr, ok := errors.AsType[*mail.Error](err)
			require.True(t, ok)
			require.True(t, sendErr.Permanent)
			require.Zero(t, fake.Requests())
		})
	}
}

func TestNewSendGridChecksConfig(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		cfg  mail.SendGridConfig
	}{
		{name: "no key", cfg: mail.SendGridConfig{From: from}},
		{name: "no from", cfg: mail.SendGridConfig{APIKey: "SG.key"}},
		{name: "from with display name", cfg: mail.SendGridConfig{APIKey: "SG.key", From: mail.Address{Email: "A <a@example.com>"}}},
		{name: "relative base URL", cfg: mail.SendGridConfig{APIKey: "SG.key", From: from, BaseURL: "api.sendgrid.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := mail.NewSendGrid(tt.cfg)
			require.Error(t, err)
		})
	}
}

func TestSendGridNeverPrintsTheKey(t *testing.T) {
	t.Parallel()
	const key = "SG.very-secret.key"
	cfg := mail.SendGridConfig{APIKey: key, From: from, HTTPClient: http.DefaultClient}
	sg, err := mail.NewSendGrid(cfg)
	require.NoError(t, err)

	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		require.NotContains(t, sprintf(verb, cfg), key, verb)
		require.NotContains(t, sprintf(verb, sg), key, verb)
	}
}

func sprintf(verb string, v any) string { return fmt.Sprintf(verb, v) }
