package jobs_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/testdb"
)

// BenchmarkEnqueueInviteEmail measures queueing one invitation email in a
// transaction on PostgreSQL, as a resend does: River's insert through
// database/sql (make bench-go; BENCHMARKS.md compares before and after).
func BenchmarkEnqueueInviteEmail(b *testing.B) {
	db := testdb.New(b, config.Postgres)
	ins, err := jobs.NewInserter(db, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	id := uuid.New()
	b.ReportAllocs()
	for b.Loop() {
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := ins.EnqueueInviteEmail(ctx, tx, id); err != nil {
			b.Fatal(err)
		}
		_ = tx.Rollback()
	}
}
