package config

import (
	"encoding/base64"
	"regexp"
	"strings"
)

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,16}$`)

// inviteKeys parses INVITE_TOKEN_KEYS.
func (r *reader) inviteKeys(name string) []InviteTokenKey { return r.keys(name) }

// keys parses "id:base64secret,id:base64secret". Errors name the entry by
// position and key id only: the secrets never reach a message.
func (r *reader) keys(name string) []SecretKey {
	var keys []SecretKey
	seen := map[string]bool{}
	for i, entry := range r.list(name) {
		id, secret, ok := strings.Cut(entry, ":")
		if !ok || !keyIDPattern.MatchString(id) {
			r.fail(name, "entry %d must be id:base64secret with an id of 1-16 letters, digits, - or _", i+1)
			continue
		}
		raw, err := decodeBase64(secret)
		if err != nil {
			r.fail(name, "key %q is not valid base64", id)
			continue
		}
		if len(raw) < 32 {
			r.fail(name, "key %q must decode to at least 32 bytes, got %d", id, len(raw))
			continue
		}
		if seen[id] {
			r.fail(name, "key id %q appears twice", id)
			continue
		}
		seen[id] = true
		keys = append(keys, SecretKey{ID: id, Secret: raw})
	}
	return keys
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return nil, err
}
