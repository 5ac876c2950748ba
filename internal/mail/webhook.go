package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"
)

// Headers of a signed SendGrid event webhook request.
const (
	SignatureHeader = eventwebhook.VerificationHTTPHeader // X-Twilio-Email-Event-Webhook-Signature
	TimestampHeader = eventwebhook.TimestampHTTPHeader    // X-Twilio-Email-Event-Webhook-Timestamp
)

// DefaultWebhookMaxAge is how far a webhook timestamp may be from now when
// NewWebhookVerifier is given no maximum age.
const DefaultWebhookMaxAge = 10 * time.Minute

// ErrBadSignature marks a webhook request that must be refused: a missing or
// invalid signature, or a timestamp outside the accepted window.
var ErrBadSignature = errors.New("mail: bad webhook signature")

// WebhookVerifier checks that an event webhook request comes from SendGrid
// and is recent. It is safe for concurrent use.
type WebhookVerifier struct {
	key    *ecdsa.PublicKey
	maxAge time.Duration
	now    func() time.Time
}

// NewWebhookVerifier returns a verifier for the verification key that
// SendGrid shows in its signed event webhook settings: a base64 DER
// SubjectPublicKeyInfo of a P-256 key (a PEM block is accepted too). A
// request is refused when its timestamp is more than maxAge away from now,
// in either direction, which keeps a captured request from being replayed
// later. maxAge defaults to DefaultWebhookMaxAge and now to time.Now.
func NewWebhookVerifier(publicKeyBase64 string, maxAge time.Duration, now func() time.Time) (*WebhookVerifier, error) {
	key, err := parseWebhookKey(publicKeyBase64)
	if err != nil {
		return nil, fmt.Errorf("mail: webhook verification key: %w", err)
	}
	if maxAge <= 0 {
		maxAge = DefaultWebhookMaxAge
	}
	if now == nil {
		now = time.Now
	}
	return &WebhookVerifier{key: key, maxAge: maxAge, now: now}, nil
}

// parseWebhookKey decodes the key itself instead of leaving it to
// eventwebhook.ConvertPublicKeyBase64ToECDSA, which panics on a key that is
// not ECDSA.
func parseWebhookKey(s string) (*ecdsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	var der []byte
	if block, _ := pem.Decode([]byte(s)); block != nil {
		der = block.Bytes
	} else {
		var err error
		if der, err = base64.StdEncoding.DecodeString(s); err != nil {
			return nil, errors.New("not base64")
		}
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errors.New("not a DER SubjectPublicKeyInfo")
	}
	key, ok := pub.(*ecdsa.PublicKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, errors.New("not a P-256 ECDSA key")
	}
	return key, nil
}

// Verify checks the signature and timestamp headers of a webhook request
// against its raw body, exactly as received. Any failure wraps
// ErrBadSignature.
func (v *WebhookVerifier) Verify(signature, timestamp string, rawBody []byte) error {
	signature, timestamp = strings.TrimSpace(signature), strings.TrimSpace(timestamp)
	if signature == "" {
		return fmt.Errorf("%w: missing %s header", ErrBadSignature, SignatureHeader)
	}
	if timestamp == "" {
		return fmt.Errorf("%w: missing %s header", ErrBadSignature, TimestampHeader)
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp is not unix seconds", ErrBadSignature)
	}
	switch age := v.now().Sub(time.Unix(sec, 0)); {
	case age > v.maxAge:
		return fmt.Errorf("%w: timestamp is %s old, more than %s", ErrBadSignature, age.Round(time.Second), v.maxAge)
	case -age > v.maxAge:
		return fmt.Errorf("%w: timestamp is %s in the future, more than %s", ErrBadSignature, (-age).Round(time.Second), v.maxAge)
	}
	ok, err := eventwebhook.VerifySignature(v.key, rawBody, signature, timestamp)
	if err != nil {
		return fmt.Errorf("%w: malformed signature", ErrBadSignature)
	}
	if !ok {
		return fmt.Errorf("%w: signature does not match", ErrBadSignature)
	}
	return nil
}
