package auth

import "errors"

// ErrInvalidToken is wrapped by every failure to verify an access token or an
// activation token, so callers can answer 401 (or 410 for a used-up link)
// with errors.Is, whatever the precise reason was. Error messages built on it
// never contain the token itself, so they are safe to log.
var ErrInvalidToken = errors.New("invalid token")

// ErrMintingDisabled is returned by Tokens.Mint when the service is
// configured to trust tokens minted by another identity provider: it then
// holds only that provider's public key and cannot sign.
var ErrMintingDisabled = errors.New("token minting is disabled: only a public key is configured")

// minSecretLen is the shortest HMAC key accepted anywhere in this package:
// 256 bits, the output size of SHA-256.
const minSecretLen = 32
