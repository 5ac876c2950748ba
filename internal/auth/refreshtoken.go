package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"

	"github.com/google/uuid"
)

// Refresh token layout, before base64url encoding:
//
//	version (1) ‖ token id (16) ‖ secret (32)
//
// The id finds the row; the database keeps only the SHA-256 of the secret,
// so a copy of it refreshes no session. A plain hash suffices: the secret
// is 256 random bits, not a password that could be guessed.
const (
	refreshTokenVersion = 2 // distinct from activation tokens' version byte
	refreshSecretLen    = 32
	refreshTokenLen     = 1 + 16 + refreshSecretLen
)

// RefreshTokenHashLen is the length of a refresh token's stored hash.
const RefreshTokenHashLen = sha256.Size

// maxRefreshTokenLen is the only length a well-formed token has, checked
// before decoding so that oversized input costs nothing.
var maxRefreshTokenLen = inviteEncoding.EncodedLen(refreshTokenLen)

// RefreshTokenLength is the length of every refresh token, in characters,
// as the contract publishes it.
const RefreshTokenLength = (refreshTokenLen*8 + 5) / 6

// NewRefreshToken makes a fresh refresh token for the row id and returns
// it with the hash to store.
func NewRefreshToken(id uuid.UUID) (token string, hash []byte) {
	raw := make([]byte, refreshTokenLen)
	raw[0] = refreshTokenVersion
	copy(raw[1:17], id[:])
	_, _ = rand.Read(raw[17:]) // documented never to fail
	sum := sha256.Sum256(raw[17:])
	return inviteEncoding.EncodeToString(raw), sum[:]
}

// ParseRefreshToken splits a refresh token into the row id it names and
// the hash of its secret; ok is false for anything not shaped like one.
func ParseRefreshToken(token string) (id uuid.UUID, hash []byte, ok bool) {
	if len(token) != maxRefreshTokenLen {
		return uuid.Nil, nil, false
	}
	raw, err := inviteEncoding.DecodeString(token)
	if err != nil || len(raw) != refreshTokenLen || raw[0] != refreshTokenVersion {
		return uuid.Nil, nil, false
	}
	copy(id[:], raw[1:17])
	sum := sha256.Sum256(raw[17:])
	return id, sum[:], true
}

// RefreshTokenMatches compares a presented token's hash with the stored
// one in constant time.
func RefreshTokenMatches(stored, presented []byte) bool {
	return len(stored) == RefreshTokenHashLen && subtle.ConstantTimeCompare(stored, presented) == 1
}
