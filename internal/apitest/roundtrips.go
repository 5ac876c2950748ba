package apitest

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

type roundTripsKey struct{}

// CountRoundTrips returns ctx marked so that the round trips to
// PostgreSQL made under it, in an environment with
// Options.CountRoundTrips, are counted, and a function that tells how
// many there were so far. A query or a statement is one round trip, and
// a pgx batch one however many statements it carries: the count pgx's
// tracer sees. Work the request leaves to the job queue's workers runs
// under their own contexts and is not counted; nor is the description
// pgx asks for the first time a connection meets a statement, once per
// connection rather than per request.
func CountRoundTrips(ctx context.Context) (context.Context, func() int) {
	n := &atomic.Int64{}
	return context.WithValue(ctx, roundTripsKey{}, n), func() int { return int(n.Load()) }
}

// roundTrips is the pgx tracer of an environment that counts round trips.
type roundTrips struct{}

var (
	_ pgx.QueryTracer = roundTrips{}
	_ pgx.BatchTracer = roundTrips{}
)

func countRoundTrip(ctx context.Context) context.Context {
	if n, ok := ctx.Value(roundTripsKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	return ctx
}

func (roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return countRoundTrip(ctx)
}

func (roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return countRoundTrip(ctx)
}

func (roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
