package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// minRSABits refuses RSA keys that no longer meet NIST guidance; an identity
// provider still signing with 1024-bit keys is a configuration to fix, not
// to accept.
const minRSABits = 2048

// parsePublicKey reads the identity provider's PEM public key and picks the
// one signing method its tokens may use. Deriving the method from the key,
// instead of from configuration, means the two can never disagree.
func parsePublicKey(data []byte) (jwt.SigningMethod, any, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, nil, errors.New("no PEM block found in the public key")
	}

	var (
		key any
		err error
	)
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		cert, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			key = cert.PublicKey
		}
	default:
		if strings.Contains(block.Type, "PRIVATE") {
			return nil, nil, fmt.Errorf("PEM block %q is a private key; configure the public key only", block.Type)
		}
		return nil, nil, fmt.Errorf("unsupported PEM block %q; want PUBLIC KEY", block.Type)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("parse public key: %w", err)
	}

	switch k := key.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			return nil, nil, fmt.Errorf("RSA public key has %d bits; at least %d are required", bits, minRSABits)
		}
		return jwt.SigningMethodRS256, k, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, nil, fmt.Errorf("ECDSA public key uses curve %s; only P-256 (ES256) is supported", k.Curve.Params().Name)
		}
		return jwt.SigningMethodES256, k, nil
	case ed25519.PublicKey:
		return jwt.SigningMethodEdDSA, k, nil
	default:
		return nil, nil, fmt.Errorf("unsupported public key type %T; want RSA, ECDSA P-256 or Ed25519", key)
	}
}
