package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"
)

// DefaultAccessTokenTTL is the lifetime of minted access tokens when
// TokenConfig.TTL is zero. It is short because authorization re-reads the
// actor's row on every request anyway; the token only needs to outlive a
// working session's bursts of calls.
const DefaultAccessTokenTTL = 15 * time.Minute

// tokenLeeway absorbs clock skew between the minting and verifying hosts,
// which matters most when another identity provider mints the tokens.
const tokenLeeway = 30 * time.Second

// maxTokenLen bounds the work done on attacker-supplied input. Our own tokens
// are a few hundred bytes; an identity provider's rarely exceed 2 KiB.
const maxTokenLen = 8 << 10

// Claims are the facts an access token asserts about its bearer.
type Claims struct {
	// UserID identifies the user; carried as "sub".
	UserID uuid.UUID
	// OrgID identifies the user's organization; carried as "org".
	OrgID uuid.UUID
	// Role is the user's role when the token was minted; carried as "role".
	Role string
	// Perms are the user's permissions when the token was minted; carried as "perms".
	Perms []string
	// IssuedAt is when the token was minted ("iat"). Mint ignores the value passed in.
	IssuedAt time.Time
	// ExpiresAt is when the token stops being accepted ("exp"), leeway aside.
	// Mint ignores the value passed in.
	ExpiresAt time.Time
}

// TokenConfig configures NewTokens.
type TokenConfig struct {
	// Secret is the HS256 key, at least 32 bytes. It is used only when
	// PublicKeyPEM is empty.
	Secret []byte
	// PublicKeyPEM, when set, switches to verifying tokens minted by another
	// identity provider: an RSA key means RS256, an ECDSA P-256 key ES256 and
	// an Ed25519 key EdDSA. Mint then returns ErrMintingDisabled.
	PublicKeyPEM []byte
	// Issuer is written to and required in "iss".
	Issuer string
	// Audience is written to and required in "aud".
	Audience string
	// TTL is the lifetime of minted tokens; zero means DefaultAccessTokenTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now. Tests set it to control expiry.
	Now func() time.Time
}

// Tokens mints and verifies access tokens. It is safe for concurrent use.
type Tokens struct {
	method    jwt.SigningMethod
	signKey   any // nil when only a public key is configured
	verifyKey any
	issuer    string
	audience  string
	ttl       time.Duration
	now       func() time.Time
	parser    *jwt.Parser
	// verified remembers the tokens that passed Verify lately (see Verify).
	verified *lru.Cache[string, verifiedToken]
}

// verifiedTokens is how many verified tokens Tokens remembers: enough for
// the people signed in at once on a busy instance, few enough that the
// collector hardly notices them (about half a kilobyte each).
const verifiedTokens = 256

// verifiedToken is a token that passed Verify: its claims, and from when
// it is valid (its iat or nbf, whichever is later).
type verifiedToken struct {
	claims Claims
	from   time.Time
}

// wireClaims is the JSON shape of an access token's payload.
type wireClaims struct {
	jwt.RegisteredClaims
	Org   string   `json:"org"`
	Role  string   `json:"role,omitempty"`
	Perms []string `json:"perms,omitempty"`
}

// NewTokens checks cfg and returns the Tokens it describes. Errors name the
// faulty setting so that start-up can report it as is.
func NewTokens(cfg TokenConfig) (*Tokens, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("auth: token issuer is required")
	}
	if cfg.Audience == "" {
		return nil, errors.New("auth: token audience is required")
	}
	if cfg.TTL < 0 {
		return nil, fmt.Errorf("auth: token TTL must not be negative, got %s", cfg.TTL)
	}

	t := &Tokens{
		issuer:   cfg.Issuer,
		audience: cfg.Audience,
		ttl:      cfg.TTL,
		now:      cfg.Now,
	}
	if t.ttl == 0 {
		t.ttl = DefaultAccessTokenTTL
	}
	if t.now == nil {
		t.now = time.Now
	}

	if len(cfg.PublicKeyPEM) > 0 {
		method, key, err := parsePublicKey(cfg.PublicKeyPEM)
		if err != nil {
			return nil, fmt.Errorf("auth: token public key: %w", err)
		}
		t.method, t.verifyKey = method, key
	} else {
		if len(cfg.Secret) < minSecretLen {
			return nil, fmt.Errorf("auth: token secret must be at least %d bytes, got %d", minSecretLen, len(cfg.Secret))
		}
		// Copy so that a caller reusing its buffer cannot change our key.
		secret := append([]byte(nil), cfg.Secret...)
		t.method, t.signKey, t.verifyKey = jwt.SigningMethodHS256, secret, secret
	}

	t.verified, _ = lru.New[string, verifiedToken](verifiedTokens) // fails only for a size below 1
	t.parser = jwt.NewParser(
		// The single allowed algorithm is what stops "alg": "none" and the
		// classic confusion of signing HS256 with a public key as secret.
		jwt.WithValidMethods([]string{t.method.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.audience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(tokenLeeway),
		jwt.WithTimeFunc(t.now),
	)
	return t, nil
}

// Algorithm names the one signing algorithm these Tokens accept, such as
// "HS256" or "EdDSA"; start-up logs it.
func (t *Tokens) Algorithm() string { return t.method.Alg() }

// Mints reports whether these Tokens sign tokens of their own, as opposed
// to only verifying another identity provider's.
func (t *Tokens) Mints() bool { return t.signKey != nil }

// Mint signs an access token for c. A ttl of zero or less means the
// configured TTL. Mint sets iat, exp, iss, aud and a random jti; the
// IssuedAt and ExpiresAt fields of c are ignored. Times are whole seconds,
// as JWT carries them, so expiresAt is exactly what Verify will report.
func (t *Tokens) Mint(c Claims, ttl time.Duration) (token string, expiresAt time.Time, err error) {
	if t.signKey == nil {
		return "", time.Time{}, ErrMintingDisabled
	}
	if c.UserID == uuid.Nil || c.OrgID == uuid.Nil {
		return "", time.Time{}, errors.New("auth: mint token: user id and organization id are required")
	}
	if ttl <= 0 {
		ttl = t.ttl
	}

	now := t.now().Truncate(time.Second)
	expiresAt = now.Add(ttl).Truncate(time.Second)
	if !expiresAt.After(now) {
		// A sub-second ttl would otherwise mint a token that is born expired.
		expiresAt = now.Add(time.Second)
	}

	wc := wireClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   c.UserID.String(),
			Audience:  jwt.ClaimStrings{t.audience},
			ExpiresAt: jwt.NewNumericDate(expiresAt),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        rand.Text(),
		},
		Org:   c.OrgID.String(),
		Role:  c.Role,
		Perms: c.Perms,
	}
	token, err = jwt.NewWithClaims(t.method, wc).SignedString(t.signKey)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return token, expiresAt, nil
}

// Verify checks raw's algorithm, signature, expiry, issuer and audience, and
// returns its claims. Every failure wraps ErrInvalidToken.
//
// A client sends the same token with every request until it expires, and
// checking it was a twentieth of the CPU of a page of users (the signature,
// then decoding its JSON twice): a token that passed is remembered by its
// whole text, signature included, and answered again as long as the clock
// is within its times, with the same leeway. Everything else checked
// depends on the text alone and on the key and settings, which do not
// change for the life of these Tokens; a token that failed is not
// remembered, so a forged one is checked every time.
func (t *Tokens) Verify(raw string) (Claims, error) {
	if raw == "" || len(raw) > maxTokenLen {
		return Claims{}, invalidToken("malformed")
	}
	if v, ok := t.verified.Get(raw); ok {
		now := t.now()
		if now.Before(v.claims.ExpiresAt.Add(tokenLeeway)) && !now.Before(v.from.Add(-tokenLeeway)) {
			c := v.claims
			c.Perms = slices.Clone(c.Perms) // the caller's to change
			return c, nil
		}
		t.verified.Remove(raw) // checked again below, and refused for its times
	}
	c, from, err := t.verify(raw)
	if err != nil {
		return Claims{}, err
	}
	t.verified.Add(strings.Clone(raw), verifiedToken{claims: c, from: from})
	c.Perms = slices.Clone(c.Perms)
	return c, nil
}

// verify is Verify without remembering: the claims of raw, and from when
// it is valid.
func (t *Tokens) verify(raw string) (Claims, time.Time, error) {

	var wc wireClaims
	parsed, err := t.parser.ParseWithClaims(raw, &wc, func(tok *jwt.Token) (any, error) {
		// WithValidMethods has already refused other algorithms; checking
		// again keeps the key safe should the parser options ever change.
		if tok.Method.Alg() != t.method.Alg() {
			return nil, errors.New("unexpected signing method")
		}
		return t.verifyKey, nil
	})
	if err != nil {
		return Claims{}, time.Time{}, invalidToken(jwtFailure(err))
	}
	if reason := strictWire(parsed, raw); reason != "" {
		return Claims{}, time.Time{}, invalidToken(reason)
	}

	userID, err := parseCanonicalUUID(wc.Subject)
	if err != nil {
		return Claims{}, time.Time{}, invalidToken("subject is not a user id")
	}
	orgID, err := parseCanonicalUUID(wc.Org)
	if err != nil {
		return Claims{}, time.Time{}, invalidToken("org is not an organization id")
	}

	c := Claims{
		UserID: userID,
		OrgID:  orgID,
		Role:   wc.Role,
		Perms:  wc.Perms,
	}
	// exp is required by the parser, so it is never nil here; iat is optional
	// for tokens minted elsewhere.
	c.ExpiresAt = wc.ExpiresAt.Time
	var from time.Time
	if wc.IssuedAt != nil {
		c.IssuedAt, from = wc.IssuedAt.Time, wc.IssuedAt.Time
	}
	if wc.NotBefore != nil && wc.NotBefore.After(from) {
		from = wc.NotBefore.Time
	}
	return c, from, nil
}

// strictWire refuses what the JWT library lets through:
//   - a crit header (RFC 7515 §4.1.11): a recipient must refuse a token
//     whose critical extensions it does not understand, and this service
//     understands none;
//   - an exp, nbf or iat that is not a JSON number (RFC 7519 §2,
//     NumericDate): the library reads "exp":"1999999999" as a date.
func strictWire(tok *jwt.Token, raw string) string {
	if _, ok := tok.Header["crit"]; ok {
		return "unsupported critical header"
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "malformed"
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "malformed"
	}
	var times struct {
		Exp json.RawMessage `json:"exp"`
		Nbf json.RawMessage `json:"nbf"`
		Iat json.RawMessage `json:"iat"`
	}
	if err := json.Unmarshal(payload, &times); err != nil {
		return "malformed"
	}
	for _, v := range []json.RawMessage{times.Exp, times.Nbf, times.Iat} {
		if v != nil && (len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9'))) {
			return "time claim is not a number"
		}
	}
	return ""
}

// invalidToken builds a verification error from a fixed reason, never from
// the token, so that logging the error cannot leak a credential.
func invalidToken(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidToken, reason)
}

// jwtFailure turns a parser error into a short reason. The parser's own
// messages are not passed on: some quote decoded token content.
func jwtFailure(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "signature or algorithm not accepted"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "unverifiable"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "required claim missing"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "not valid yet"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "issued in the future"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience"
	default:
		return "claims not accepted"
	}
}

// parseCanonicalUUID accepts only the canonical 36-character form, so one
// user has exactly one spelling in tokens, logs and audit events.
func parseCanonicalUUID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, err
	}
	if id == uuid.Nil || id.String() != s {
		return uuid.Nil, errors.New("not a canonical non-nil uuid")
	}
	return id, nil
}
