package sendgridtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"
)

// NewWebhookKey makes a P-256 key pair like the one SendGrid signs event
// webhooks with. The public key is base64 DER SubjectPublicKeyInfo, the form
// SendGrid's settings page shows.
func NewWebhookKey(t testing.TB) (priv *ecdsa.PrivateKey, publicKeyBase64 string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("sendgridtest: generate webhook key: %v", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatalf("sendgridtest: encode webhook key: %v", err)
	}
	return priv, base64.StdEncoding.EncodeToString(der)
}

// SignWebhook returns the signature header value SendGrid would send with
// body at timestamp: ECDSA over the SHA-256 of timestamp followed by the raw
// body, ASN.1 DER encoded, in base64.
func SignWebhook(priv *ecdsa.PrivateKey, timestamp string, body []byte) (signature string) {
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write(body)
	sig, err := ecdsa.SignASN1(rand.Reader, priv, h.Sum(nil))
	if err != nil {
		// Signing with a valid key and crypto/rand does not fail.
		panic("sendgridtest: sign webhook: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// WebhookHeaders returns the signature and timestamp headers of a webhook
// request that SendGrid sends at the given time.
func WebhookHeaders(priv *ecdsa.PrivateKey, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(eventwebhook.VerificationHTTPHeader, SignWebhook(priv, ts, body))
	h.Set(eventwebhook.TimestampHTTPHeader, ts)
	return h
}
