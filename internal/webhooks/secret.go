package webhooks

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// SecretPrefix starts every signing secret, as the Standard Webhooks
// specification spells them: whsec_ and the base64 of the key.
const SecretPrefix = "whsec_"

// secretBytes is the length of a signing key: 256 bits, within the 24 to
// 64 bytes the specification asks for.
const secretBytes = 32

// NewSecret returns a fresh random signing secret in its whsec_ form.
func NewSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// keyInfo keeps the keys derived here apart from anything else derived
// from the same master secret (activation-link keys, say).
const keyInfo = "invited webhook endpoint signing secrets v1"

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,16}$`)

// Key is one named key that encrypts signing secrets at rest.
type Key struct {
	ID     string
	Secret []byte
}

// DeriveKey derives a 32-byte key from a master secret with HKDF-SHA256;
// the key id is the salt, so each id gets its own key.
func DeriveKey(id string, master []byte) Key {
	k, err := hkdf.Key(sha256.New, master, []byte(id), keyInfo, 32)
	if err != nil { // only for lengths HKDF cannot produce
		panic("webhooks: hkdf: " + err.Error())
	}
	return Key{ID: id, Secret: k}
}

// SecretBox encrypts endpoints' signing secrets so that a copy of the
// database alone cannot sign a webhook: AES-256-GCM under a key that lives
// only in the service's configuration. Each sealed secret names the key
// that sealed it, so keys rotate: new secrets are sealed with the first
// key, and every listed key still opens what it sealed. The endpoint's id is
// bound in as associated data, so a sealed secret copied onto another
// endpoint's row does not open there. Safe for concurrent use.
type SecretBox struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewSecretBox returns a box over keys, the first one current.
func NewSecretBox(keys []Key) (*SecretBox, error) {
	if len(keys) == 0 {
		return nil, errors.New("webhooks: no secret encryption key")
	}
	b := &SecretBox{current: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if !keyIDPattern.MatchString(k.ID) {
			return nil, fmt.Errorf("webhooks: key id %q must be 1-16 letters, digits, - or _", k.ID)
		}
		if len(k.Secret) != 32 {
			return nil, fmt.Errorf("webhooks: key %q must be 32 bytes", k.ID)
		}
		if _, dup := b.aeads[k.ID]; dup {
			return nil, fmt.Errorf("webhooks: key id %q appears twice", k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		b.aeads[k.ID] = aead
	}
	return b, nil
}

// Seal encrypts a secret for the endpoint id: "keyid:base64(nonce‖ciphertext)".
func (b *SecretBox) Seal(secret, endpointID string) string {
	aead := b.aeads[b.current]
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(secret), []byte(endpointID))
	return b.current + ":" + base64.RawStdEncoding.EncodeToString(sealed)
}

// ErrSecretUnreadable is returned by Open for a secret sealed with a key
// the box does not hold, or that does not belong to the endpoint.
var ErrSecretUnreadable = errors.New("webhooks: the endpoint's signing secret cannot be decrypted with the configured keys")

// Open decrypts what Seal sealed for the endpoint id.
func (b *SecretBox) Open(sealed, endpointID string) (string, error) {
	id, enc, ok := strings.Cut(sealed, ":")
	aead, known := b.aeads[id]
	if !ok || !known {
		return "", ErrSecretUnreadable
	}
	raw, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", ErrSecretUnreadable
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(endpointID))
	if err != nil {
		return "", ErrSecretUnreadable
	}
	return string(plain), nil
}
