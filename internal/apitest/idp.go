package apitest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/invitedhq/invited/internal/people"
)

// newIdPKey makes the key pair of an identity provider other than the
// service: the private key signs, the PEM public key is what the service
// is configured with.
func newIdPKey(t testing.TB) (ed25519.PrivateKey, []byte) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	der, err := x509.MarshalPKIXPublicKey(pub)
	must(t, err)
	return priv, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// idpToken is an access token for u as the other identity provider mints it.
func (e *Env) idpToken(u people.User, perms []string) string {
	e.T.Helper()
	now := e.Clock.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
		"iss": "invited", "aud": "invited", "sub": u.ID.String(), "org": u.OrganizationID.String(),
		"role": string(u.Role), "perms": perms, "iat": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(),
	}).SignedString(e.idp)
	must(e.T, err)
	return tok
}
