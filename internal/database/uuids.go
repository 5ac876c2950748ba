package database

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// encodeUUIDsNatively teaches a connection's pgx type map to send
// github.com/google/uuid values as the 16 bytes they are. pgx does not know
// the type: it first fails to find a plan (building an error it then drops),
// falls back to the value's driver.Valuer, formats the UUID as text and
// parses that text back into bytes, for every id of every statement (a
// tenth of a page's allocations). Written here because pgx's own adapter
// for this type is not a module this build can fetch; it is the same idea
// as encodePQArraysNatively, and only uuid.UUID is matched.
func encodeUUIDsNatively(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{wrapGoogleUUID}, m.TryWrapEncodePlanFuncs...)
	return nil
}

// wrapGoogleUUID is a pgtype.TryWrapEncodePlanFunc for uuid.UUID.
func wrapGoogleUUID(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	if v, ok := value.(uuid.UUID); ok {
		return &googleUUIDPlan{}, pgtype.UUID{Bytes: v, Valid: true}, true
	}
	return nil, nil, false
}

// googleUUIDPlan encodes a uuid.UUID with the plan pgx chose for pgtype.UUID.
type googleUUIDPlan struct{ next pgtype.EncodePlan }

func (p *googleUUIDPlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *googleUUIDPlan) Encode(value any, buf []byte) ([]byte, error) {
	return p.next.Encode(pgtype.UUID{Bytes: value.(uuid.UUID), Valid: true}, buf)
}
