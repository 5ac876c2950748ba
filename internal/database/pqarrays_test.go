package database

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"
)

// The arrays River's database/sql driver wraps in lib/pq types are encoded
// from the slices they wrap, in binary: the same bytes pgx sends for the
// bare slice, never the text form and a parse.
func TestPQArraysEncodeAsTheirSlices(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		oid     uint32
		wrapped any
		bare    any
	}{
		{"smallint", pgtype.Int2ArrayOID, pq.Array([]int16{1, 1000}), []int16{1, 1000}},
		{"timestamptz", pgtype.TimestamptzArrayOID, pq.Array([]time.Time{at}), []time.Time{at}},
		{"bigint", pgtype.Int8ArrayOID, pq.Array([]int64{0, 42}), []int64{0, 42}},
		{"integer", pgtype.Int4ArrayOID, pq.Array([]int32{7}), []int32{7}},
		{"text", pgtype.TextArrayOID, pq.Array([]string{"email", ""}), []string{"email", ""}},
		{"bytea with NULL", pgtype.ByteaArrayOID, pq.Array([][]byte{nil, []byte("k")}), [][]byte{nil, []byte("k")}},
		{"jsonb", pgtype.JSONBArrayOID, pq.Array([]string{`{"invite_id": "x"}`}), []string{`{"invite_id": "x"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plain := pgtype.NewMap()
			m := pgtype.NewMap()
			m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{unwrapPQArray}, m.TryWrapEncodePlanFuncs...)
			want, err := plain.Encode(tt.oid, pgtype.BinaryFormatCode, tt.bare, nil)
			require.NoError(t, err)
			got, err := m.Encode(tt.oid, pgtype.BinaryFormatCode, tt.wrapped, nil)
			require.NoError(t, err)
			require.Equal(t, want, got)
			_, ok := m.PlanEncode(tt.oid, pgtype.BinaryFormatCode, tt.wrapped).(*unwrappedPQArray)
			require.True(t, ok, "encoded through the unwrapping plan")
		})
	}
	_, _, ok := unwrapPQArray([]int64{1})
	require.False(t, ok, "a bare slice is left to pgx")
}
