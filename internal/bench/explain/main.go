// Command explain prints, as Markdown, EXPLAIN (ANALYZE, BUFFERS) of every
// query shape GET /users sends to PostgreSQL (see bench.Shapes), run
// through the real service and store against a seeded database, with the
// plan the service's connections use. It exits with status 1 when a plan
// reads the whole users table.
//
//	go run ./internal/bench/explain -database-url postgres://…/invited_bench -org bench -email owner@bench.example
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/invitedhq/invited/internal/bench"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "explain:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	url := fs.String("database-url", "", "PostgreSQL URL of the seeded database (required)")
	slug := fs.String("org", "bench", "organization whose listing is explained")
	email := fs.String("email", "owner@bench.example", "a people manager of it")
	term := fs.String("q", "okafor", "search term")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*url, "postgres") {
		return errors.New("-database-url must name a PostgreSQL database")
	}
	db, err := database.Open(ctx, *url, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	st := store.New(db, nil)
	org, err := st.OrganizationBySlug(ctx, *slug)
	if err != nil {
		return err
	}
	actor, err := st.UserByEmail(ctx, org.ID, *email)
	if err != nil {
		return err
	}
	x, err := bench.NewExplainer(ctx, db, org.ID, actor.ID)
	if err != nil {
		return err
	}
	var scans []string
	for _, s := range bench.Shapes(*term) {
		p, err := x.Explain(ctx, s)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		fmt.Fprintf(stdout, "#### %s\n\n`GET /users?%s`%s — %s\n\n```\n%s```\n\n", s.Name, s.Query, deepNote(s), planKind(p), p.Text)
		if p.SeqScanOnUsers() {
			scans = append(scans, s.Name)
		}
	}
	if len(scans) > 0 {
		return fmt.Errorf("sequential scan of users in: %s", strings.Join(scans, "; "))
	}
	return nil
}

func planKind(p bench.Plan) string {
	if p.PerExecution {
		return "planned for its values on each execution"
	}
	return "the prepared statement's generic plan"
}

func deepNote(s bench.Shape) string {
	if s.Deep {
		return " with the `cursor` of the page 80 % of the way through"
	}
	return ""
}
