package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/hkdf"
)

// Activation token layout, before base64url encoding:
//
//	version (1) ‖ invite id (16) ‖ kid length (1) ‖ kid (1–16) ‖ HMAC-SHA256 (32)
//
// The MAC covers "invite:" ‖ invite id ‖ user id ‖ expires_at (unix seconds,
// big-endian). The database stores none of it: a worker rebuilds the link
// from the invite row and the key id, so a copy of the database or the job
// queue opens no account.
const (
	inviteTokenVersion = 1
	maxKeyIDLen        = 16
	inviteMACLen       = sha256.Size
	inviteFixedLen     = 1 + 16 + 1 + inviteMACLen
	inviteMACLabel     = "invite:"
	inviteKeyInfo      = "invited invite-token v1"
)

// inviteEncoding is base64url without padding. Strict decoding refuses
// stray trailing bits, so one token has exactly one spelling.
var inviteEncoding = base64.RawURLEncoding.Strict()

// MaxInviteTokenLength is the longest well-formed token, in characters: the
// base64url length of the longest layout. It is checked before any decoding
// so that oversized input costs nothing, and the contract publishes it.
const MaxInviteTokenLength = ((inviteFixedLen+maxKeyIDLen)*8 + 5) / 6

// SigningKey is one HMAC key for activation tokens, named by an ID that
// travels in the token so keys can rotate without breaking live links.
type SigningKey struct {
	// ID is 1–16 characters from A–Z, a–z, 0–9, '_' and '-'.
	ID string
	// Secret is the HMAC-SHA256 key, at least 32 bytes.
	Secret []byte
}

// DeriveSigningKey derives a 32-byte activation-token key from a master
// secret with HKDF-SHA256. The key id is the HKDF salt, so each id gets its
// own key even from one master; the info string keeps these keys apart from
// anything else derived from the same master. A master shorter than 32
// bytes yields a key without a secret, which NewInviteSigner refuses.
func DeriveSigningKey(id string, master []byte) SigningKey {
	if len(master) < minSecretLen {
		return SigningKey{ID: id}
	}
	secret := make([]byte, minSecretLen)
	// HKDF-SHA256 can produce up to 8160 bytes; 32 never fails.
	if _, err := io.ReadFull(hkdf.New(sha256.New, master, []byte(id), []byte(inviteKeyInfo)), secret); err != nil {
		panic("auth: hkdf: " + err.Error())
	}
	return SigningKey{ID: id, Secret: secret}
}

// InviteSigner signs and verifies activation tokens. It is safe for
// concurrent use.
type InviteSigner struct {
	current string
	keys    map[string][]byte
}

// NewInviteSigner returns a signer that signs with keys[0] and verifies
// with any of keys, so that links signed with a retired key keep working
// until they expire.
func NewInviteSigner(keys []SigningKey) (*InviteSigner, error) {
	if len(keys) == 0 {
		return nil, errors.New("auth: at least one invite signing key is required")
	}
	s := &InviteSigner{current: keys[0].ID, keys: make(map[string][]byte, len(keys))}
	for i, k := range keys {
		if !validKeyID(k.ID) {
			return nil, fmt.Errorf("auth: invite signing key %d: id %q must be 1-%d characters of A-Z, a-z, 0-9, '_' or '-'", i, k.ID, maxKeyIDLen)
		}
		if len(k.Secret) < minSecretLen {
			return nil, fmt.Errorf("auth: invite signing key %q: secret must be at least %d bytes, got %d", k.ID, minSecretLen, len(k.Secret))
		}
		if _, dup := s.keys[k.ID]; dup {
			return nil, fmt.Errorf("auth: invite signing key %q is listed twice", k.ID)
		}
		s.keys[k.ID] = append([]byte(nil), k.Secret...)
	}
	return s, nil
}

// CurrentKeyID names the key new invites should be signed with; callers
// store it on the invite so that every retry rebuilds the same link.
func (s *InviteSigner) CurrentKeyID() string { return s.current }

// Sign returns the activation token for an invite. It is deterministic: the
// same key, invite, user and expiry (to the second) always give the same
// token, so a retried email job sends the identical link.
func (s *InviteSigner) Sign(keyID string, inviteID, userID uuid.UUID, expiresAt time.Time) (string, error) {
	secret, ok := s.keys[keyID]
	if !ok {
		return "", fmt.Errorf("auth: sign invite token: unknown key id %q", keyID)
	}
	if inviteID == uuid.Nil || userID == uuid.Nil || expiresAt.IsZero() {
		return "", errors.New("auth: sign invite token: invite id, user id and expiry are required")
	}

	buf := make([]byte, 0, inviteFixedLen+len(keyID))
	buf = append(buf, inviteTokenVersion)
	buf = append(buf, inviteID[:]...)
	buf = append(buf, byte(len(keyID))) //nolint:gosec // key ids are validated to at most 16 bytes
	buf = append(buf, keyID...)
	buf = append(buf, inviteMAC(secret, inviteID, userID, expiresAt)...)
	return inviteEncoding.EncodeToString(buf), nil
}

// ParseInviteToken reads the invite id and key id from a token without
// checking its MAC, so that the caller can load the invite it names before
// calling Verify. Nothing it returns may be trusted until Verify succeeds.
func ParseInviteToken(token string) (inviteID uuid.UUID, keyID string, err error) {
	p, err := parseInviteToken(token)
	if err != nil {
		return uuid.Nil, "", err
	}
	return p.inviteID, p.keyID, nil
}

// Verify checks that token was signed by one of this signer's keys for the
// given user and expiry, as stored on the invite the token names. It does
// not check whether the invite is still live or has expired; the caller
// decides that from the invite row.
func (s *InviteSigner) Verify(token string, userID uuid.UUID, expiresAt time.Time) error {
	p, err := parseInviteToken(token)
	if err != nil {
		return err
	}
	secret, ok := s.keys[p.keyID]
	if !ok {
		return invalidToken("unknown signing key")
	}
	if !hmac.Equal(p.mac, inviteMAC(secret, p.inviteID, userID, expiresAt)) {
		return invalidToken("signature mismatch")
	}
	return nil
}

type parsedInviteToken struct {
	inviteID uuid.UUID
	keyID    string
	mac      []byte
}

func parseInviteToken(token string) (parsedInviteToken, error) {
	// The decoder skips '\r' and '\n'; checking the alphabet first keeps
	// one spelling per token, which logs and rate limits rely on.
	if len(token) == 0 || len(token) > MaxInviteTokenLength || !isBase64URL(token) {
		return parsedInviteToken{}, invalidToken("malformed")
	}
	raw, err := inviteEncoding.DecodeString(token)
	if err != nil || len(raw) < inviteFixedLen+1 {
		return parsedInviteToken{}, invalidToken("malformed")
	}
	if raw[0] != inviteTokenVersion {
		return parsedInviteToken{}, invalidToken("unsupported version")
	}

	inviteID, _ := uuid.FromBytes(raw[1:17]) // 16 bytes: cannot fail
	kidLen := int(raw[17])
	if inviteID == uuid.Nil || len(raw) != inviteFixedLen+kidLen {
		return parsedInviteToken{}, invalidToken("malformed")
	}
	keyID := string(raw[18 : 18+kidLen])
	if !validKeyID(keyID) {
		return parsedInviteToken{}, invalidToken("malformed")
	}
	return parsedInviteToken{inviteID: inviteID, keyID: keyID, mac: raw[18+kidLen:]}, nil
}

func inviteMAC(secret []byte, inviteID, userID uuid.UUID, expiresAt time.Time) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(inviteMACLabel))
	m.Write(inviteID[:])
	m.Write(userID[:])
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(expiresAt.Unix()))) //nolint:gosec // the bit pattern is hashed; sign does not matter
	return m.Sum(nil)
}

// validKeyID also keeps key ids safe to print in logs and configuration.
func validKeyID(id string) bool {
	return len(id) > 0 && len(id) <= maxKeyIDLen && isBase64URL(id)
}

// isBase64URL reports whether s uses only A–Z, a–z, 0–9, '-' and '_'.
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alphabet := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
		if !alphabet {
			return false
		}
	}
	return true
}
