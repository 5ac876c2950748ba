package database

import (
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"
)

// A uuid.UUID parameter is encoded in binary from its bytes, the same bytes
// pgx sends for a pgtype.UUID, in either format, never through its text.
func TestGoogleUUIDsEncodeAsTheirBytes(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("01a21560-7b2c-7d3e-8f40-5a6b7c8d9e0f")
	plain := pgtype.NewMap()
	m := pgtype.NewMap()
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{wrapGoogleUUID}, m.TryWrapEncodePlanFuncs...)
	for _, format := range []int16{pgtype.BinaryFormatCode, pgtype.TextFormatCode} {
		want, err := plain.Encode(pgtype.UUIDOID, format, pgtype.UUID{Bytes: id, Valid: true}, nil)
		require.NoError(t, err)
		got, err := m.Encode(pgtype.UUIDOID, format, id, nil)
		require.NoError(t, err)
		require.Equal(t, want, got)
		_, ok := m.PlanEncode(pgtype.UUIDOID, format, id).(*googleUUIDPlan)
		require.True(t, ok, "encoded through the bytes")
	}
	bin, err := m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, id, nil)
	require.NoError(t, err)
	require.Equal(t, id[:], bin)
	_, _, ok := wrapGoogleUUID(id.String())
	require.False(t, ok, "a string is left to pgx")
}
