package auth

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

var (
	testInviteID = uuid.MustParse("3d0c7a52-8f4e-4b1a-9c6d-2e5f7a8b9c01")
	testUserID   = uuid.MustParse("9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d")
	testExpiry   = time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
)

func testMaster(fill byte) []byte { return bytes.Repeat([]byte{fill}, 32) }

func newSigner(t testing.TB, keys ...SigningKey) *InviteSigner {
	t.Helper()
	if len(keys) == 0 {
		keys = []SigningKey{DeriveSigningKey("k1", testMaster(1))}
	}
	s, err := NewInviteSigner(keys)
	require.NoError(t, err)
	return s
}

func signTest(t testing.TB, s *InviteSigner) string {
	t.Helper()
	token, err := s.Sign(s.CurrentKeyID(), testInviteID, testUserID, testExpiry)
	require.NoError(t, err)
	return token
}

func TestDeriveSigningKey(t *testing.T) {
	t.Parallel()
	k := DeriveSigningKey("k1", testMaster(1))
	require.Equal(t, "k1", k.ID)
	require.Len(t, k.Secret, 32)
	require.Equal(t, k, DeriveSigningKey("k1", testMaster(1)), "deterministic")
	require.NotEqual(t, k.Secret, DeriveSigningKey("k2", testMaster(1)).Secret, "each id its own key")
	require.NotEqual(t, k.Secret, DeriveSigningKey("k1", testMaster(2)).Secret, "each master its own key")
	require.NotEqual(t, testMaster(1), k.Secret)

	_, err := NewInviteSigner([]SigningKey{DeriveSigningKey("k1", []byte("too short"))})
	require.ErrorContains(t, err, "at least 32 bytes")
}

func TestNewInviteSignerErrors(t *testing.T) {
	t.Parallel()
	good := DeriveSigningKey("k1", testMaster(1))
	tests := []struct {
		name    string
		keys    []SigningKey
		wantErr string
	}{
		{name: "no keys", keys: nil, wantErr: "at least one"},
		{name: "empty id", keys: []SigningKey{{ID: "", Secret: good.Secret}}, wantErr: "id"},
		{name: "id too long", keys: []SigningKey{{ID: strings.Repeat("k", 17), Secret: good.Secret}}, wantErr: "id"},
		{name: "id with a dot", keys: []SigningKey{{ID: "k.1", Secret: good.Secret}}, wantErr: "id"},
		{name: "id not ASCII", keys: []SigningKey{{ID: "ключ", Secret: good.Secret}}, wantErr: "id"},
		{name: "short secret", keys: []SigningKey{{ID: "k1", Secret: make([]byte, 31)}}, wantErr: "at least 32 bytes"},
		{name: "duplicate id", keys: []SigningKey{good, DeriveSigningKey("k1", testMaster(2))}, wantErr: "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewInviteSigner(tt.keys)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}

	s := newSigner(t, SigningKey{ID: strings.Repeat("A-z_9", 3) + "x", Secret: good.Secret})
	require.Equal(t, "A-z_9A-z_9A-z_9x", s.CurrentKeyID(), "16 characters of the full charset are fine")
}

func TestInviteTokenLayout(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	token := signTest(t, s)

	require.NotContains(t, token, "=")
	raw, err := inviteEncoding.DecodeString(token)
	require.NoError(t, err)
	require.Len(t, raw, 1+16+1+2+32)
	require.EqualValues(t, 1, raw[0])
	require.Equal(t, testInviteID[:], raw[1:17])
	require.EqualValues(t, 2, raw[17])
	require.Equal(t, "k1", string(raw[18:20]))

	id, kid, err := ParseInviteToken(token)
	require.NoError(t, err)
	require.Equal(t, testInviteID, id)
	require.Equal(t, "k1", kid)
	require.Equal(t, inviteEncoding.EncodedLen(inviteFixedLen+maxKeyIDLen), MaxInviteTokenLength,
		"the published maximum is the encoded length of the longest layout")
}

func TestInviteTokenDeterministic(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	first := signTest(t, s)
	require.Equal(t, first, signTest(t, newSigner(t)), "a fresh signer with the same key rebuilds the same link")

	// The database may hold sub-second precision or another time zone; the
	// token depends on the instant, to the second.
	again, err := s.Sign("k1", testInviteID, testUserID, testExpiry.Add(900*time.Millisecond).In(time.FixedZone("X", 3600)))
	require.NoError(t, err)
	require.Equal(t, first, again)
	require.NoError(t, s.Verify(first, testUserID, testExpiry.Add(300*time.Millisecond)))
}

func TestInviteTokenBindsEveryInput(t *testing.T) {
	t.Parallel()
	s := newSigner(t, DeriveSigningKey("k1", testMaster(1)), DeriveSigningKey("k2", testMaster(2)))
	base := signTest(t, s)
	require.NoError(t, s.Verify(base, testUserID, testExpiry))

	otherInvite, otherUser := uuid.New(), uuid.New()
	tests := []struct {
		name     string
		keyID    string
		inviteID uuid.UUID
		userID   uuid.UUID
		expiry   time.Time
	}{
		{name: "other invite", keyID: "k1", inviteID: otherInvite, userID: testUserID, expiry: testExpiry},
		{name: "other user", keyID: "k1", inviteID: testInviteID, userID: otherUser, expiry: testExpiry},
		{name: "other expiry", keyID: "k1", inviteID: testInviteID, userID: testUserID, expiry: testExpiry.Add(time.Second)},
		{name: "other key", keyID: "k2", inviteID: testInviteID, userID: testUserID, expiry: testExpiry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, err := s.Sign(tt.keyID, tt.inviteID, tt.userID, tt.expiry)
			require.NoError(t, err)
			require.NotEqual(t, base, token)
			require.NoError(t, s.Verify(token, tt.userID, tt.expiry))

			if tt.userID != testUserID || !tt.expiry.Equal(testExpiry) {
				// The invite row's user and expiry must match the token's.
				require.ErrorIs(t, s.Verify(token, testUserID, testExpiry), ErrInvalidToken)
				require.ErrorIs(t, s.Verify(base, tt.userID, tt.expiry), ErrInvalidToken)
			}
		})
	}
}

func TestInviteTokenTamperingFails(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	token := signTest(t, s)
	raw, err := inviteEncoding.DecodeString(token)
	require.NoError(t, err)

	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			tampered := bytes.Clone(raw)
			tampered[i] ^= bit
			err := s.Verify(inviteEncoding.EncodeToString(tampered), testUserID, testExpiry)
			require.ErrorIs(t, err, ErrInvalidToken, "byte %d bit %#x", i, bit)
		}
	}

	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range token {
		c := alphabet[(strings.IndexByte(alphabet, token[i])+1)%len(alphabet)]
		tampered := token[:i] + string(c) + token[i+1:]
		require.ErrorIs(t, s.Verify(tampered, testUserID, testExpiry), ErrInvalidToken, "character %d", i)
	}
}

func TestInviteTokenMalformedInput(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	token := signTest(t, s)
	raw, err := inviteEncoding.DecodeString(token)
	require.NoError(t, err)
	reencode := func(change func([]byte) []byte) string {
		return inviteEncoding.EncodeToString(change(bytes.Clone(raw)))
	}

	tests := []struct {
		name  string
		token string
	}{
		{name: "empty", token: ""},
		{name: "garbage", token: "hello world"},
		{name: "not base64url", token: strings.Repeat("!", len(token))},
		{name: "standard base64 alphabet", token: strings.NewReplacer("-", "+", "_", "/").Replace(token) + "+/"},
		{name: "padded", token: token + "=="},
		{name: "trailing newline", token: token + "\n"},
		{name: "line break inside", token: token[:10] + "\r\n" + token[10:]},
		{name: "extra character", token: token + "A"},
		{name: "oversized", token: strings.Repeat("A", 1<<20)},
		{name: "just over the maximum length", token: strings.Repeat("A", MaxInviteTokenLength+1)},
		{name: "version 2", token: reencode(func(b []byte) []byte { b[0] = 2; return b })},
		{name: "nil invite id", token: reencode(func(b []byte) []byte { clear(b[1:17]); return b })},
		{name: "kid length zero", token: reencode(func(b []byte) []byte { b[17] = 0; return b })},
		{name: "kid length past the end", token: reencode(func(b []byte) []byte { b[17] = 255; return b })},
		{name: "kid with a forbidden byte", token: reencode(func(b []byte) []byte { b[18] = '.'; return b })},
		{name: "MAC one byte short", token: reencode(func(b []byte) []byte { return b[:len(b)-1] })},
		{name: "MAC one byte long", token: reencode(func(b []byte) []byte { return append(b, 0) })},
	}
	for i := range len(token) {
		tests = append(tests, struct {
			name  string
			token string
		}{name: "truncated", token: token[:i]})
	}
	for _, tt := range tests {
		require.NotPanics(t, func() {
			_, _, err := ParseInviteToken(tt.token)
			require.ErrorIs(t, err, ErrInvalidToken, tt.name)
			err = s.Verify(tt.token, testUserID, testExpiry)
			require.ErrorIs(t, err, ErrInvalidToken, tt.name)
			require.NotContains(t, err.Error(), token)
		}, tt.name)
	}
}

func TestInviteTokenKeys(t *testing.T) {
	t.Parallel()
	oldKey := DeriveSigningKey("2025", testMaster(1))
	newKey := DeriveSigningKey("2026", testMaster(2))

	before := newSigner(t, oldKey)
	oldToken := signTest(t, before)

	rotated := newSigner(t, newKey, oldKey)
	require.Equal(t, "2026", rotated.CurrentKeyID())
	require.NoError(t, rotated.Verify(oldToken, testUserID, testExpiry), "links signed before the rotation keep working")
	newToken := signTest(t, rotated)
	_, kid, err := ParseInviteToken(newToken)
	require.NoError(t, err)
	require.Equal(t, "2026", kid)
	again, err := rotated.Sign("2025", testInviteID, testUserID, testExpiry)
	require.NoError(t, err)
	require.Equal(t, oldToken, again, "a retry of an old job rebuilds its old link")

	retired := newSigner(t, newKey)
	require.ErrorIs(t, retired.Verify(oldToken, testUserID, testExpiry), ErrInvalidToken, "unknown kid")
	_, err = retired.Sign("2025", testInviteID, testUserID, testExpiry)
	require.Error(t, err)

	impostor := newSigner(t, SigningKey{ID: "2025", Secret: testMaster(9)})
	require.ErrorIs(t, impostor.Verify(oldToken, testUserID, testExpiry), ErrInvalidToken, "same kid, other secret")
}

func TestSignRefusesMissingInputs(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	_, err := s.Sign("k1", uuid.Nil, testUserID, testExpiry)
	require.Error(t, err)
	_, err = s.Sign("k1", testInviteID, uuid.Nil, testExpiry)
	require.Error(t, err)
	_, err = s.Sign("k1", testInviteID, testUserID, time.Time{})
	require.Error(t, err)
}

func FuzzParseInviteToken(f *testing.F) {
	s := newSigner(f)
	valid := signTest(f, s)
	f.Add(valid)
	f.Add("")
	f.Add("AQ")
	f.Add(valid[:len(valid)-1])
	f.Add(valid + "A")
	f.Add(strings.Repeat("_", MaxInviteTokenLength))
	f.Add("AQAAAAAAAAAAAAAAAAAAAAAAEGsxAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")

	f.Fuzz(func(t *testing.T, token string) {
		id, kid, err := ParseInviteToken(token)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidToken)
		} else {
			require.NotEqual(t, uuid.Nil, id)
			require.True(t, validKeyID(kid))
			require.LessOrEqual(t, len(token), MaxInviteTokenLength)
		}
		// Only the genuine token verifies for this user and expiry.
		if s.Verify(token, testUserID, testExpiry) == nil {
			require.Equal(t, valid, token)
		}
	})
}
