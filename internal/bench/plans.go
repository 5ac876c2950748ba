package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/store"
)

// Shape is one form of GET /users: the store builds a different query for
// each filter and sort order, and a deep page adds a cursor condition.
type Shape struct {
	Name string
	// Query is the query string as a client sends it.
	Query string
	// Deep explains the page 80 % of the way through the listing instead
	// of the first one.
	Deep bool
}

// Shapes lists every query shape the store issues for GET /users: each
// sort order on a first and a deep page, each filter, and the searches.
// term is a search that matches a few hundred users.
func Shapes(term string) []Shape {
	q := "q=" + url.QueryEscape(term)
	return []Shape{
		{Name: "pending, newest first (the People screen)", Query: "status=invite_pending"},
		{Name: "pending, newest first, deep page", Query: "status=invite_pending", Deep: true},
		{Name: "pending, oldest first", Query: "status=invite_pending&sort=created_at"},
		{Name: "pending, oldest first, deep page", Query: "status=invite_pending&sort=created_at", Deep: true},
		{Name: "pending, by email", Query: "status=invite_pending&sort=email"},
		{Name: "pending, by email, deep page", Query: "status=invite_pending&sort=email", Deep: true},
		{Name: "pending, last invited first", Query: "status=invite_pending&sort=-last_invited_at"},
		{Name: "pending, last invited first, deep page", Query: "status=invite_pending&sort=-last_invited_at", Deep: true},
		{Name: "every status, newest first", Query: ""},
		{Name: "every status, newest first, deep page", Query: "", Deep: true},
		{Name: "every status, by email", Query: "sort=email"},
		{Name: "every status, by email, deep page", Query: "sort=email", Deep: true},
		{Name: "every status, last invited first", Query: "sort=-last_invited_at"},
		{Name: "every status, last invited first, deep page", Query: "sort=-last_invited_at", Deep: true},
		{Name: "two statuses", Query: "status=invite_pending,deactivated"},
		{Name: "search", Query: q},
		{Name: "search among pending", Query: q + "&status=invite_pending"},
		{Name: "search by email domain fragment", Query: "q=" + url.QueryEscape("@gmial")},
		{Name: "search, a term without trigrams", Query: "q=ok"},
		{Name: "delivery problems of pending users", Query: "status=invite_pending&delivery_status=bounced,dropped,blocked"},
		{Name: "pending, invited before a date, oldest invitation last", Query: "status=invite_pending&sort=-last_invited_at&invited_before=" +
			url.QueryEscape(time.Now().UTC().AddDate(0, -6, 0).Truncate(24*time.Hour).Format(time.RFC3339))},
		{Name: "two roles", Query: "role=admin,hr"},
		{Name: "a rare role", Query: "role=admin"},
	}
}

// Plan is what PostgreSQL did with one shape's query.
type Plan struct {
	Shape Shape
	// SQL and Args are the statement exactly as the store sent it.
	SQL  string
	Args []any
	// PerExecution is true when the store asks for a plan made for the
	// values (database.CustomPlan); the other statements run with the
	// generic plan of their prepared statement.
	PerExecution bool
	// Text is EXPLAIN (ANALYZE, BUFFERS) of the plan the service's
	// connections run: the generic one, or the one made for the values.
	Text string
}

// SeqScanOnUsers reports whether the plan reads the whole users table.
func (p Plan) SeqScanOnUsers() bool { return strings.Contains(p.Text, "Seq Scan on users") }

// Explainer runs listing requests through the real service and store and
// explains the SQL the store sends, so the plans shown are those of the
// queries the product issues, not of hand-copied ones.
type Explainer struct {
	db    *database.DB
	svc   *people.Service
	actor people.Actor

	mu       sync.Mutex
	last     string
	lastArgs []any
	// statements collects every statement while a Call runs.
	statements []Plan
	collecting bool
}

// NewExplainer prepares to explain listings as the user actorID of orgID.
// It adds a callback to db's GORM instance: give it a DB of its own.
func NewExplainer(ctx context.Context, db *database.DB, orgID, actorID uuid.UUID) (*Explainer, error) {
	x := &Explainer{db: db}
	if err := db.Gorm.Callback().Row().After("gorm:row").Register("bench:capture", x.record); err != nil {
		return nil, err
	}
	st := store.New(db, nil)
	st.OnNativeQuery(x.recordNative)
	x.svc = people.NewService(people.Deps{Store: st})
	actor, err := x.svc.Authenticate(ctx, auth.Claims{UserID: actorID, OrgID: orgID})
	if err != nil {
		return nil, fmt.Errorf("bench: explain as %s: %w", actorID, err)
	}
	x.actor = actor
	return x, nil
}

func (x *Explainer) record(tx *gorm.DB) { x.recordNative(tx.Statement.SQL.String(), tx.Statement.Vars) }

// recordNative notes a statement, whether GORM or the store's pgx path
// (store.OnNativeQuery) sent it.
func (x *Explainer) recordNative(sql string, args []any) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.last = sql
	x.lastArgs = append([]any(nil), args...)
	if x.collecting {
		x.statements = append(x.statements, Plan{SQL: x.last, Args: x.lastArgs})
	}
}

// Call runs fn as the explainer's actor through the real service and
// explains every statement it sent, with the generic plan of its prepared
// statement, as the service's connections run it.
func (x *Explainer) Call(ctx context.Context, name string, fn func(ctx context.Context, svc *people.Service, actor people.Actor) error) ([]Plan, error) {
	x.mu.Lock()
	x.statements, x.collecting = nil, true
	x.mu.Unlock()
	err := fn(ctx, x.svc, x.actor)
	x.mu.Lock()
	plans := x.statements
	x.statements, x.collecting = nil, false
	x.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	for i := range plans {
		plans[i].Shape = Shape{Name: name}
		if plans[i].Text, err = explainGeneric(ctx, x.db.SQL, plans[i].SQL, plans[i].Args); err != nil {
			return nil, fmt.Errorf("bench: %s: %w", name, err)
		}
	}
	return plans, nil
}

// Reports are the delivery report and the funnel calls whose plans are
// checked: each must read its rows through an index, never a whole table.
func Reports() []Report {
	funnel := func(groupBy string) func(ctx context.Context, svc *people.Service, a people.Actor) error {
		return func(ctx context.Context, svc *people.Service, a people.Actor) error {
			_, err := svc.InvitationFunnel(ctx, a, people.FunnelParams{GroupBy: people.FunnelGrouping(groupBy)})
			return err
		}
	}
	return []Report{
		{Name: "delivery report, last 30 days", Path: "/delivery/domains", Call: func(ctx context.Context, svc *people.Service, a people.Actor) error {
			_, err := svc.DomainReport(ctx, a, people.DomainReportQuery{})
			return err
		}},
		{Name: "funnel, last 12 weeks", Path: "/insights/invitations", Call: funnel("")},
		{Name: "funnel per week", Path: "/insights/invitations?group_by=week", Call: funnel("week")},
		{Name: "funnel per inviter", Path: "/insights/invitations?group_by=inviter", Call: funnel("inviter")},
		{Name: "funnel per domain", Path: "/insights/invitations?group_by=domain", Call: funnel("domain")},
		{Name: "funnel per job", Path: "/insights/invitations?group_by=job", Call: funnel("job")},
	}
}

// Report is one call of a report route through the service.
type Report struct {
	Name string
	// Path is the request it stands for.
	Path string
	Call func(ctx context.Context, svc *people.Service, actor people.Actor) error
}

// SeqScan reports whether the plan reads the whole users or invites table;
// the small tables (organizations) are rightly read whole.
func (p Plan) SeqScan() bool {
	for _, t := range []string{"users", "invites"} {
		if strings.Contains(p.Text, "Seq Scan on "+t+" ") || strings.HasSuffix(strings.TrimSpace(p.Text), "Seq Scan on "+t) {
			return true
		}
	}
	return false
}

// Explain lists the shape's page through the service and explains the
// statement the store sent for it.
func (x *Explainer) Explain(ctx context.Context, s Shape) (Plan, error) {
	params, err := url.ParseQuery(s.Query)
	if err != nil {
		return Plan{}, err
	}
	p, err := api.UserQuery(params)
	if err != nil {
		return Plan{}, err
	}
	if s.Deep {
		if p.Cursor, err = x.deepCursor(ctx, p); err != nil {
			return Plan{}, err
		}
	}
	if _, err := x.svc.ListUsers(ctx, x.actor, p); err != nil {
		return Plan{}, err
	}
	x.mu.Lock()
	plan := Plan{Shape: s, SQL: x.last, Args: x.lastArgs}
	x.mu.Unlock()
	if plan.SQL == "" {
		return Plan{}, errors.New("bench: the listing sent no statement")
	}
	if len(plan.Args) > 0 {
		_, plan.PerExecution = plan.Args[0].(pgx.QueryExecMode)
	}
	if plan.PerExecution {
		plan.Text, err = explain(ctx, x.db.SQL, plan.SQL, plan.Args)
	} else {
		plan.Text, err = explainGeneric(ctx, x.db.SQL, plan.SQL, plan.Args)
	}
	return plan, err
}

// deepCursor pages through the whole listing and returns the cursor 80 %
// of the way through it.
func (x *Explainer) deepCursor(ctx context.Context, p people.UserQuery) (string, error) {
	p.Limit = people.MaxPageSize
	var cursors []string
	for {
		page, err := x.svc.ListUsers(ctx, x.actor, p)
		if err != nil {
			return "", err
		}
		if !page.HasMore {
			break
		}
		cursors = append(cursors, page.NextCursor)
		p.Cursor = page.NextCursor
	}
	if len(cursors) == 0 {
		return "", errors.New("bench: the listing has a single page; nothing is deep")
	}
	return cursors[len(cursors)*4/5], nil
}

// explain runs the statement under EXPLAIN ANALYZE with args as the store
// sent them, the simple protocol's mode first: planned for the values.
func explain(ctx context.Context, db *sql.DB, query string, args []any) (string, error) {
	rows, err := db.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...)
	if err != nil {
		return "", fmt.Errorf("bench: explain: %w", err)
	}
	return readPlan(rows)
}

func readPlan(rows *sql.Rows) (string, error) {
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// explainGeneric prepares the statement and runs its generic plan under
// EXPLAIN ANALYZE, as a connection of the service does (see
// database.preferGenericPlans).
func explainGeneric(ctx context.Context, db *sql.DB, query string, args []any) (string, error) {
	lits := make([]string, len(args))
	for i, a := range args {
		lit, err := literal(a)
		if err != nil {
			return "", err
		}
		lits[i] = lit
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer func() { _ = conn.Close() }()
	// The simple protocol: these statements carry no parameters of their own.
	simple := pgx.QueryExecModeSimpleProtocol
	if _, err := conn.ExecContext(ctx, "PREPARE bench_generic AS "+query, simple); err != nil {
		return "", fmt.Errorf("bench: prepare: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "DEALLOCATE bench_generic; RESET plan_cache_mode", simple)
	}()
	if _, err := conn.ExecContext(ctx, "SET plan_cache_mode = force_generic_plan", simple); err != nil {
		return "", err
	}
	execute := "EXECUTE bench_generic"
	if len(lits) > 0 { // a statement without parameters takes no parentheses
		execute += "(" + strings.Join(lits, ", ") + ")"
	}
	rows, err := conn.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+execute, simple)
	if err != nil {
		return "", fmt.Errorf("bench: explain generic plan: %w", err)
	}
	return readPlan(rows)
}

// literal spells a statement argument as SQL, for EXECUTE.
func literal(v any) (string, error) {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch v := v.(type) {
	case string:
		if strings.ContainsRune(v, 0) {
			return "", errors.New("bench: NUL in a text argument")
		}
		return quote(v), nil
	case uuid.UUID:
		return quote(v.String()), nil
	case time.Time:
		return quote(v.Format(time.RFC3339Nano)), nil
	case int:
		return fmt.Sprint(v), nil
	case bool:
		return fmt.Sprint(v), nil
	case driver.Valuer:
		dv, err := v.Value()
		if err != nil {
			return "", err
		}
		return literal(dv)
	default:
		return "", fmt.Errorf("bench: no literal for %T", v)
	}
}
