package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Bounds on parameters read back from stored hashes. A stored hash is data,
// and a corrupted or planted one must not make a single sign-in allocate
// gigabytes or spin for minutes.
const (
	maxMemoryKiB = 256 * 1024
	maxTime      = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

// b64 is the PHC string format's base64: standard alphabet, no padding.
// Strict decoding refuses stray trailing bits, so each hash has one spelling.
var b64 = base64.RawStdEncoding.Strict()

// errMalformedHash is returned for every stored hash that cannot be read.
var errMalformedHash = errors.New("auth: malformed password hash")

// phcHash is a decoded "$argon2id$v=19$m=..,t=..,p=..$salt$key" string.
type phcHash struct {
	params Params
	salt   []byte
	key    []byte
}

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsePHC reads an argon2id PHC string, refusing anything it would not
// itself have written or whose cost is out of bounds.
func parsePHC(encoded string) (phcHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phcHash{}, errMalformedHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phcHash{}, fmt.Errorf("%w: unsupported argon2 version", errMalformedHash)
	}

	p, err := parsePHCParams(parts[3])
	if err != nil {
		return phcHash{}, err
	}
	if err := p.validate(); err != nil {
		return phcHash{}, fmt.Errorf("%w: %w", errMalformedHash, err)
	}

	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return phcHash{}, fmt.Errorf("%w: bad salt", errMalformedHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return phcHash{}, fmt.Errorf("%w: bad key", errMalformedHash)
	}
	return phcHash{params: p, salt: salt, key: key}, nil
}

// parsePHCParams reads "m=19456,t=2,p=1" in exactly that order, as the PHC
// format fixes it. fmt.Sscanf would accept trailing junk, so parse by hand.
func parsePHCParams(s string) (Params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, fmt.Errorf("%w: bad parameters", errMalformedHash)
	}
	var values [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok || v == "" || v[0] < '0' || v[0] > '9' {
			return Params{}, fmt.Errorf("%w: bad parameters", errMalformedHash)
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		n, err := strconv.ParseUint(v, 10, bits)
		if err != nil {
			return Params{}, fmt.Errorf("%w: bad parameters", errMalformedHash)
		}
		values[i] = n
	}
	// ParseUint was given each field's bit size, so the conversions are exact.
	return Params{Memory: uint32(values[0]), Time: uint32(values[1]), Threads: uint8(values[2])}, nil //nolint:gosec // see above
}
