package mail_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
)

func TestWebhookVerifier(t *testing.T) {
	t.Parallel()

	now := time.Date(2026, time.November, 23, 14, 5, 0, 0, time.UTC)
	priv, pub := sendgridtest.NewWebhookKey(t)
	otherPriv, _ := sendgridtest.NewWebhookKey(t)
	body := sendgridtest.EventJSON(sendgridtest.Event{Type: sendgridtest.Delivered, InviteID: "i1", Timestamp: now})
	ts := strconv.FormatInt(now.Unix(), 10)
	at := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	signed := func(ts string) string { return sendgridtest.SignWebhook(priv, ts, body) }
	tampered := bytes.Replace(body, []byte(`"i1"`), []byte(`"i2"`), 1)

	tests := []struct {
		name      string
		signature string
		timestamp string
		body      []byte
		ok        bool
	}{
		{name: "valid", signature: signed(ts), timestamp: ts, body: body, ok: true},
		{name: "valid, 9 minutes old", signature: signed(at(-9 * time.Minute)), timestamp: at(-9 * time.Minute), body: body, ok: true},
		{name: "tampered body", signature: signed(ts), timestamp: ts, body: tampered},
		{name: "timestamp swapped after signing", signature: signed(ts), timestamp: at(time.Second), body: body},
		{name: "wrong key", signature: sendgridtest.SignWebhook(otherPriv, ts, body), timestamp: ts, body: body},
		{name: "missing signature", timestamp: ts, body: body},
		{name: "missing timestamp", signature: signed(ts), body: body},
		{name: "garbage base64", signature: "%%%not-base64%%%", timestamp: ts, body: body},
		{name: "base64 but not DER", signature: base64.StdEncoding.EncodeToString([]byte("hello")), timestamp: ts, body: body},
		{name: "timestamp not a number", signature: signed("yesterday"), timestamp: "yesterday", body: body},
		{name: "stale, 11 minutes old", signature: signed(at(-11 * time.Minute)), timestamp: at(-11 * time.Minute), body: body},
		{name: "11 minutes in the future", signature: signed(at(11 * time.Minute)), timestamp: at(11 * time.Minute), body: body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := mail.NewWebhookVerifier(pub, 0, func() time.Time { return now })
			require.NoError(t, err)
			err = v.Verify(tt.signature, tt.timestamp, tt.body)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, mail.ErrBadSignature)
		})
	}
}

func TestWebhookVerifierWithHeadersFromTheFake(t *testing.T) {
	t.Parallel()
	priv, pub := sendgridtest.NewWebhookKey(t)
	body := sendgridtest.EventJSON(sendgridtest.Event{Type: sendgridtest.Open})
	h := sendgridtest.WebhookHeaders(priv, time.Now(), body)

	v, err := mail.NewWebhookVerifier(pub, 0, nil)
	require.NoError(t, err)
	require.NoError(t, v.Verify(h.Get(mail.SignatureHeader), h.Get(mail.TimestampHeader), body))
	require.Equal(t, "X-Twilio-Email-Event-Webhook-Signature", mail.SignatureHeader)
	require.Equal(t, "X-Twilio-Email-Event-Webhook-Timestamp", mail.TimestampHeader)
}

func TestNewWebhookVerifierRejectsBadKeys(t *testing.T) {
	t.Parallel()

	// Keys of another type in the right encoding: the library's own
	// converter would panic on them.
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	spki := func(pub any) string {
		der, err := x509.MarshalPKIXPublicKey(pub)
		require.NoError(t, err)
		return base64.StdEncoding.EncodeToString(der)
	}
	tests := []struct{ name, key string }{
		{name: "empty", key: ""},
		{name: "not base64", key: "not base64!"},
		{name: "not DER", key: base64.StdEncoding.EncodeToString([]byte("hello"))},
		{name: "Ed25519", key: spki(edPub)},
		{name: "P-384", key: spki(&p384.PublicKey)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := mail.NewWebhookVerifier(tt.key, 0, nil)
			require.Error(t, err)
		})
	}
}

func TestNewWebhookVerifierAcceptsPEM(t *testing.T) {
	t.Parallel()
	priv, pub := sendgridtest.NewWebhookKey(t)
	der, err := base64.StdEncoding.DecodeString(pub)
	require.NoError(t, err)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	v, err := mail.NewWebhookVerifier(pemKey, time.Minute, nil)
	require.NoError(t, err)
	body := []byte(`[]`)
	h := sendgridtest.WebhookHeaders(priv, time.Now(), body)
	require.NoError(t, v.Verify(h.Get(mail.SignatureHeader), h.Get(mail.TimestampHeader), body))
}
