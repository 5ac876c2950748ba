// Command seed fills a fresh PostgreSQL database with the benchmark data set
// of BENCHMARKS.md: it applies the service's migrations, copies in
// 100,000 users of one organization (30 % invite-pending) and 1,000 other
// organizations, and analyzes the tables. The same flags give the same rows.
//
//	go run ./internal/bench/seed -database-url postgres://postgres@127.0.0.1:5432/invited_bench?sslmode=disable
//
// It refuses a database that already has users, so it cannot be pointed at
// a real one by mistake.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/bench"
	"github.com/invitedhq/invited/internal/database"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	url := fs.String("database-url", "", "PostgreSQL URL of the fresh database to fill (required)")
	password := fs.String("password", "bench-owner-password-42", "password of every user who has one (one argon2id hash)")
	spec := bench.DefaultSpec(time.Now(), "-")
	fs.Uint64Var(&spec.Seed, "seed", spec.Seed, "random seed")
	fs.IntVar(&spec.Users, "users", spec.Users, "users of the measured organization")
	fs.Float64Var(&spec.PendingShare, "pending", spec.PendingShare, "share of invite-pending users")
	fs.IntVar(&spec.OtherOrgs, "orgs", spec.OtherOrgs, "other organizations")
	fs.StringVar(&spec.Slug, "slug", spec.Slug, "slug of the measured organization")
	fs.StringVar(&spec.OwnerEmail, "owner-email", spec.OwnerEmail, "email of its owner")
	anchor := fs.String("now", spec.Now.Format(time.DateOnly), "date the timestamps lead up to (default today, UTC)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*url, "postgres://") && !strings.HasPrefix(*url, "postgresql://") {
		return errors.New("-database-url must name a PostgreSQL database (postgres://…)")
	}
	var err error
	if spec.Now, err = time.Parse(time.DateOnly, *anchor); err != nil {
		return fmt.Errorf("-now: %w", err)
	}
	start := time.Now()
	if spec.PasswordHash, err = auth.NewHasher(1).Hash(ctx, *password); err != nil {
		return err
	}
	ds, err := bench.Generate(spec)
	if err != nil {
		return err
	}

	db, err := database.Open(ctx, *url, database.Options{})
	if err != nil {
		return err
	}
	err = database.Migrate(ctx, db, nil)
	_ = db.Close()
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, *url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if err := bench.Load(ctx, conn, ds); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d organizations, %d users, %d invites in %s\n",
		len(ds.Organizations), len(ds.Users), len(ds.Invites), time.Since(start).Round(100*time.Millisecond))
	fmt.Fprintf(stdout, "measured organization %s (%s), owner %s, password %q\n", ds.Org.Slug, ds.Org.ID, ds.Owner.Email, *password)
	return nil
}
