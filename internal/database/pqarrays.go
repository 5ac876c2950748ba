package database

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/lib/pq"
)

// encodePQArraysNatively teaches a connection's pgx type map to send the
// array parameters that River's database/sql driver wraps in lib/pq's
// array types (pq.Array) as the slices they wrap. Without it, pgx finds no
// binary encoding for a pq.GenericArray, asks it for its text form
// ("{…}") and parses that back into the array it was: for the thirteen
// arrays of every job insert, a fifth of a resend's CPU in the service
// (BENCHMARKS.md). Only the wrapper types are matched, so nothing else
// changes encoding.
func encodePQArraysNatively(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{unwrapPQArray}, m.TryWrapEncodePlanFuncs...)
	return nil
}

// unwrapPQArray is a pgtype.TryWrapEncodePlanFunc for lib/pq's array wrappers.
func unwrapPQArray(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	switch v := value.(type) {
	case pq.GenericArray:
		switch a := v.A.(type) {
		case []int16, []time.Time, []int32, []int64, []string, [][]byte, []bool:
			return &unwrappedPQArray{}, a, true
		}
	case *pq.Int64Array:
		return &unwrappedPQArray{}, []int64(*v), true
	case *pq.Int32Array:
		return &unwrappedPQArray{}, []int32(*v), true
	case *pq.StringArray:
		return &unwrappedPQArray{}, []string(*v), true
	case *pq.ByteaArray:
		return &unwrappedPQArray{}, [][]byte(*v), true
	case *pq.BoolArray:
		return &unwrappedPQArray{}, []bool(*v), true
	}
	return nil, nil, false
}

// unwrappedPQArray encodes the slice inside a pq array with the plan pgx
// chose for that slice.
type unwrappedPQArray struct{ next pgtype.EncodePlan }

func (p *unwrappedPQArray) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *unwrappedPQArray) Encode(value any, buf []byte) ([]byte, error) {
	_, inner, _ := unwrapPQArray(value)
	return p.next.Encode(inner, buf)
}
