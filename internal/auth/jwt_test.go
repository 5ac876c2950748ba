package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

const (
	testIssuer   = "https://invited.test"
	testAudience = "invited-api"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testSecret() []byte { return []byte("0123456789abcdef0123456789abcdef") }

func fixedClock() time.Time { return testNow }

func newHSTokens(t *testing.T) *Tokens {
	t.Helper()
	tok, err := NewTokens(TokenConfig{
		Secret:   testSecret(),
		Issuer:   testIssuer,
		Audience: testAudience,
		Now:      fixedClock,
	})
	require.NoError(t, err)
	return tok
}

// validClaims is a payload that verifies; tests remove or change one thing.
func validClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub":   "6f1c1b7e-2a53-4c1f-9a8e-0d4b6f3e9a11",
		"org":   "0b6f7f8a-6a3b-4bd2-8c43-5d2a1f0e7c22",
		"role":  "admin",
		"perms": []string{"people"},
		"iss":   testIssuer,
		"aud":   testAudience,
		"iat":   testNow.Add(-time.Minute).Unix(),
		"exp":   testNow.Add(10 * time.Minute).Unix(),
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	raw, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return raw
}

// withHeader signs valid claims with an extra header member.
func withHeader(t *testing.T, name string, value any) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims())
	tok.Header[name] = value
	raw, err := tok.SignedString(testSecret())
	require.NoError(t, err)
	return raw
}

func requireInvalid(t *testing.T, err error, raw string) {
	t.Helper()
	require.ErrorIs(t, err, ErrInvalidToken)
	if raw == "" {
		return
	}
	require.NotContains(t, err.Error(), raw)
	for _, part := range strings.Split(raw, ".") {
		if len(part) > 4 {
			require.NotContains(t, err.Error(), part)
		}
	}
}

func TestMintVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	tok := newHSTokens(t)
	in := Claims{
		UserID: uuid.New(),
		OrgID:  uuid.New(),
		Role:   "hr",
		Perms:  []string{"people"},
	}

	tests := []struct {
		name    string
		ttl     time.Duration
		wantTTL time.Duration
	}{
		{name: "default ttl", ttl: 0, wantTTL: DefaultAccessTokenTTL},
		{name: "negative means default", ttl: -time.Hour, wantTTL: DefaultAccessTokenTTL},
		{name: "explicit ttl", ttl: time.Hour, wantTTL: time.Hour},
		{name: "sub-second ttl still lives a second", ttl: time.Millisecond, wantTTL: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw, exp, err := tok.Mint(in, tt.ttl)
			require.NoError(t, err)
			require.True(t, exp.Equal(testNow.Add(tt.wantTTL)), "expiresAt %s", exp)

			got, err := tok.Verify(raw)
			require.NoError(t, err)
			require.Equal(t, in.UserID, got.UserID)
			require.Equal(t, in.OrgID, got.OrgID)
			require.Equal(t, in.Role, got.Role)
			require.Equal(t, in.Perms, got.Perms)
			require.True(t, got.IssuedAt.Equal(testNow))
			require.True(t, got.ExpiresAt.Equal(exp))
		})
	}
}

func TestMintSetsRegisteredClaims(t *testing.T) {
	t.Parallel()
	tok := newHSTokens(t)
	c := Claims{UserID: uuid.New(), OrgID: uuid.New(), Role: "learner"}

	raw1, _, err := tok.Mint(c, 0)
	require.NoError(t, err)
	raw2, _, err := tok.Mint(c, 0)
	require.NoError(t, err)

	var m1, m2 jwt.MapClaims
	_, _, err = jwt.NewParser().ParseUnverified(raw1, &m1)
	require.NoError(t, err)
	_, _, err = jwt.NewParser().ParseUnverified(raw2, &m2)
	require.NoError(t, err)

	require.Equal(t, testIssuer, m1["iss"])
	require.Equal(t, []any{testAudience}, m1["aud"])
	require.Equal(t, c.UserID.String(), m1["sub"])
	require.Equal(t, c.OrgID.String(), m1["org"])
	require.NotEmpty(t, m1["jti"])
	require.NotEqual(t, m1["jti"], m2["jti"], "jti must be random")
}

func TestMintRefusesMissingIDs(t *testing.T) {
	t.Parallel()
	tok := newHSTokens(t)
	_, _, err := tok.Mint(Claims{OrgID: uuid.New()}, 0)
	require.Error(t, err)
	_, _, err = tok.Mint(Claims{UserID: uuid.New()}, 0)
	require.Error(t, err)
}

func TestVerifyRefusals(t *testing.T) {
	t.Parallel()
	tok := newHSTokens(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)

	with := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims()
		change(c)
		return c
	}
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, testSecret(), c) }

	valid := hs(validClaims())
	parts := strings.Split(valid, ".")
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 0x01 // flip a middle character: its bits all count
	tamperedSig := parts[0] + "." + parts[1] + "." + string(sig)
	forgedPayload := parts[0] + "." + strings.Split(hs(with(func(c jwt.MapClaims) { c["role"] = "owner" })), ".")[1] + "." + parts[2]

	tests := []struct {
		name   string
		reason string
		raw    string
	}{
		{name: "empty", reason: "malformed", raw: ""},
		{name: "garbage", reason: "malformed", raw: "not-a-token"},
		{name: "oversized", reason: "malformed", raw: strings.Repeat("a", maxTokenLen+1)},
		{name: "HS384 instead of HS256", reason: "algorithm", raw: sign(t, jwt.SigningMethodHS384, testSecret(), validClaims())},
		{name: "alg none", reason: "algorithm", raw: sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims())},
		{name: "RS256 in secret mode", reason: "algorithm", raw: sign(t, jwt.SigningMethodRS256, rsaKey, validClaims())},
		{name: "other secret", reason: "signature", raw: sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), validClaims())},
		{name: "tampered signature", reason: "signature", raw: tamperedSig},
		{name: "payload swapped under old signature", reason: "signature", raw: forgedPayload},
		{name: "expired beyond leeway", reason: "expired", raw: hs(with(func(c jwt.MapClaims) { c["exp"] = testNow.Add(-31 * time.Second).Unix() }))},
		{name: "missing exp", reason: "required claim missing", raw: hs(with(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{name: "not valid yet", reason: "not valid yet", raw: hs(with(func(c jwt.MapClaims) { c["nbf"] = testNow.Add(time.Minute).Unix() }))},
		{name: "issued in the future", reason: "issued in the future", raw: hs(with(func(c jwt.MapClaims) { c["iat"] = testNow.Add(time.Minute).Unix() }))},
		{name: "wrong issuer", reason: "wrong issuer", raw: hs(with(func(c jwt.MapClaims) { c["iss"] = "https://evil.test" }))},
		{name: "missing issuer", reason: "required claim missing", raw: hs(with(func(c jwt.MapClaims) { delete(c, "iss") }))},
		{name: "wrong audience", reason: "wrong audience", raw: hs(with(func(c jwt.MapClaims) { c["aud"] = "other-api" }))},
		{name: "missing audience", reason: "required claim missing", raw: hs(with(func(c jwt.MapClaims) { delete(c, "aud") }))},
		{name: "malformed sub", reason: "subject", raw: hs(with(func(c jwt.MapClaims) { c["sub"] = "42" }))},
		{name: "missing sub", reason: "subject", raw: hs(with(func(c jwt.MapClaims) { delete(c, "sub") }))},
		{name: "nil sub", reason: "subject", raw: hs(with(func(c jwt.MapClaims) { c["sub"] = uuid.Nil.String() }))},
		{name: "non-canonical sub", reason: "subject", raw: hs(with(func(c jwt.MapClaims) { c["sub"] = "{6f1c1b7e-2a53-4c1f-9a8e-0d4b6f3e9a11}" }))},
		{name: "malformed org", reason: "org", raw: hs(with(func(c jwt.MapClaims) { c["org"] = "acme" }))},
		{name: "missing org", reason: "org", raw: hs(with(func(c jwt.MapClaims) { delete(c, "org") }))},
		{name: "org of the wrong type", reason: "malformed", raw: hs(with(func(c jwt.MapClaims) { c["org"] = 7 }))},
		{name: "exp as a string", reason: "not a number", raw: hs(with(func(c jwt.MapClaims) { c["exp"] = fmt.Sprint(testNow.Add(time.Hour).Unix()) }))},
		{name: "nbf as a string", reason: "not a number", raw: hs(with(func(c jwt.MapClaims) { c["nbf"] = fmt.Sprint(testNow.Unix()) }))},
		{name: "iat as a string", reason: "not a number", raw: hs(with(func(c jwt.MapClaims) { c["iat"] = fmt.Sprint(testNow.Unix()) }))},
		{name: "unknown crit header", reason: "critical header", raw: withHeader(t, "crit", []string{"exp-ext"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tok.Verify(tt.raw)
			requireInvalid(t, err, tt.raw)
			require.ErrorContains(t, err, tt.reason)
		})
	}
}

func TestVerifyLeeway(t *testing.T) {
	t.Parallel()
	tok := newHSTokens(t)
	tests := []struct {
		name string
		exp  time.Time
		ok   bool
	}{
		{name: "expired 20s ago is within leeway", exp: testNow.Add(-20 * time.Second), ok: true},
		{name: "expired 29s ago is within leeway", exp: testNow.Add(-29 * time.Second), ok: true},
		// exp plus leeway is the first instant refused, as RFC 7519 has
		// "now must be before exp".
		{name: "expired exactly 30s ago is refused", exp: testNow.Add(-30 * time.Second), ok: false},
		{name: "expired 31s ago is refused", exp: testNow.Add(-31 * time.Second), ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := validClaims()
			c["exp"] = tt.exp.Unix()
			raw := sign(t, jwt.SigningMethodHS256, testSecret(), c)
			_, err := tok.Verify(raw)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, raw)
		})
	}
}

func pemPublicKey(t *testing.T, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func TestVerifyPublicKeyModes(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	tests := []struct {
		name    string
		pub     crypto.PublicKey
		method  jwt.SigningMethod
		private crypto.Signer
		alg     string
	}{
		{name: "RSA", pub: &rsaKey.PublicKey, method: jwt.SigningMethodRS256, private: rsaKey, alg: "RS256"},
		{name: "ECDSA P-256", pub: &ecKey.PublicKey, method: jwt.SigningMethodES256, private: ecKey, alg: "ES256"},
		{name: "Ed25519", pub: edKey.Public(), method: jwt.SigningMethodEdDSA, private: edKey, alg: "EdDSA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pubPEM := pemPublicKey(t, tt.pub)
			tok, err := NewTokens(TokenConfig{
				// A secret alongside the key must not reopen HS256.
				Secret:       testSecret(),
				PublicKeyPEM: pubPEM,
				Issuer:       testIssuer,
				Audience:     testAudience,
				Now:          fixedClock,
			})
			require.NoError(t, err)
			require.Equal(t, tt.alg, tok.Algorithm())

			got, err := tok.Verify(sign(t, tt.method, tt.private, validClaims()))
			require.NoError(t, err)
			require.Equal(t, "6f1c1b7e-2a53-4c1f-9a8e-0d4b6f3e9a11", got.UserID.String())
			require.Equal(t, "admin", got.Role)
			require.Equal(t, []string{"people"}, got.Perms)

			_, _, err = tok.Mint(Claims{UserID: uuid.New(), OrgID: uuid.New()}, 0)
			require.ErrorIs(t, err, ErrMintingDisabled)

			refused := map[string]string{
				"HS256 keyed with the public key": sign(t, jwt.SigningMethodHS256, pubPEM, validClaims()),
				"HS256 keyed with the secret":     sign(t, jwt.SigningMethodHS256, testSecret(), validClaims()),
				"alg none":                        sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims()),
				"ES256 from another key":          sign(t, jwt.SigningMethodES256, otherEC, validClaims()),
			}
			for name, raw := range refused {
				_, err := tok.Verify(raw)
				require.ErrorIs(t, err, ErrInvalidToken, name)
			}
		})
	}
}

func TestNewTokensConfigErrors(t *testing.T) {
	t.Parallel()
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	edDER, err := x509.MarshalPKCS8PrivateKey(edKey)
	require.NoError(t, err)
	privatePEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER})

	ok := TokenConfig{Secret: testSecret(), Issuer: testIssuer, Audience: testAudience}
	tests := []struct {
		name    string
		change  func(*TokenConfig)
		wantErr string
	}{
		{name: "short secret", change: func(c *TokenConfig) { c.Secret = []byte("short") }, wantErr: "at least 32 bytes"},
		{name: "no secret", change: func(c *TokenConfig) { c.Secret = nil }, wantErr: "at least 32 bytes"},
		{name: "no issuer", change: func(c *TokenConfig) { c.Issuer = "" }, wantErr: "issuer"},
		{name: "no audience", change: func(c *TokenConfig) { c.Audience = "" }, wantErr: "audience"},
		{name: "negative ttl", change: func(c *TokenConfig) { c.TTL = -time.Second }, wantErr: "TTL"},
		{name: "not PEM", change: func(c *TokenConfig) { c.PublicKeyPEM = []byte("hello") }, wantErr: "no PEM block"},
		{name: "private key", change: func(c *TokenConfig) { c.PublicKeyPEM = privatePEM }, wantErr: "private key"},
		{name: "P-384 key", change: func(c *TokenConfig) { c.PublicKeyPEM = pemPublicKey(t, &p384.PublicKey) }, wantErr: "P-256"},
		{
			name: "corrupt key",
			change: func(c *TokenConfig) {
				c.PublicKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("junk")})
			},
			wantErr: "parse public key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tt.change(&cfg)
			_, err := NewTokens(cfg)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// A remembered token is answered within its times only, with the same
// leeway as the first check, and its claims are the caller's own.
func TestVerifyRemembersWithinTheTokensTimes(t *testing.T) {
	t.Parallel()
	now := testNow
	tok, err := NewTokens(TokenConfig{Secret: testSecret(), Issuer: testIssuer, Audience: testAudience,
		Now: func() time.Time { return now }})
	require.NoError(t, err)
	c := validClaims()
	c["nbf"] = testNow.Unix()
	raw := sign(t, jwt.SigningMethodHS256, testSecret(), c)

	first, err := tok.Verify(raw)
	require.NoError(t, err)
	first.Perms[0] = "changed by the caller"
	again, err := tok.Verify(raw)
	require.NoError(t, err)
	require.Equal(t, []string{"people"}, again.Perms)
	require.Equal(t, first.UserID, again.UserID)
	require.True(t, again.ExpiresAt.Equal(testNow.Add(10*time.Minute)))

	// The clock before nbf (beyond the leeway), then past exp plus the
	// leeway: refused as a first check would refuse it.
	now = testNow.Add(-31 * time.Second)
	_, err = tok.Verify(raw)
	requireInvalid(t, err, raw)
	now = testNow.Add(-30 * time.Second)
	_, err = tok.Verify(raw)
	require.NoError(t, err)
	now = testNow.Add(10*time.Minute + 29*time.Second)
	_, err = tok.Verify(raw)
	require.NoError(t, err)
	now = testNow.Add(10*time.Minute + 30*time.Second)
	_, err = tok.Verify(raw)
	requireInvalid(t, err, raw)

	// A token that differs from a remembered one in its signature alone is
	// checked, and refused.
	now = testNow
	_, err = tok.Verify(raw)
	require.NoError(t, err)
	i := len(raw) - 10 // within the signature
	swap := map[bool]string{true: "B", false: "A"}[raw[i] == 'A']
	forged := raw[:i] + swap + raw[i+1:]
	_, err = tok.Verify(forged)
	requireInvalid(t, err, forged)
}
