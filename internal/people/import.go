package people

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/invitedhq/invited/internal/apperr"
)

// Import is an import request: the parsed file and the importer's options.
type Import struct {
	Rows []ImportRow
	// Format is csv or json, kept with the job.
	Format string
	// SendInvites invites each created user, exactly like POST /users does.
	SendInvites bool
	DryRun      bool
}

// ImportReport is the validation of an import file, row by row.
type ImportReport struct {
	Rows   int
	Create int
	Skip   int
	Fail   int
	// Problems lists every row that would not be created, and why.
	Problems []RowProblem
}

// RowProblem is one reason a row would not be created.
type RowProblem struct {
	Row     int
	Email   string
	Outcome ItemOutcome
	Field   string
	Code    string
	Message string
}

// ImportUsers is the batch importer. It validates every row before it
// changes anything: bad email, duplicate within the file, unknown role, role
// above the importer's rank fail the row; an email that already belongs to
// a user skips it (fails it when that user is deactivated). With DryRun it
// returns the report only. Otherwise it freezes the rows as the items of a
// job, queued in the request's transaction, which creates the valid rows in
// batches exactly as POST /users would.
func (s *Service) ImportUsers(ctx context.Context, actor Actor, imp Import) (ImportReport, Job, error) {
	if err := actor.RequireManager(); err != nil {
		return ImportReport{}, Job{}, err
	}
	switch n := len(imp.Rows); {
	case n == 0:
		return ImportReport{}, Job{}, apperr.Invalid(apperr.Field("file", "empty", "the import has no rows"))
	case n > MaxImportRows:
		return ImportReport{}, Job{}, tooManyRows()
	}
	now := s.now()
	job := Job{ID: newID(), OrganizationID: actor.OrganizationID, Kind: JobImport, State: JobQueued,
		CreatedBy: &actor.ID, Params: JobParams{Format: imp.Format, SendInvites: imp.SendInvites},
		Request: requestMeta(ctx), CreatedAt: now, UpdatedAt: now, Total: len(imp.Rows)}
	items, err := s.validateImport(ctx, actor, job, imp.Rows)
	if err != nil {
		return ImportReport{}, Job{}, err
	}
	report := importReport(items)
	if imp.DryRun {
		return report, Job{}, nil
	}
	for _, it := range items {
		job.count(it.Outcome, 1)
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateJob(ctx, &job); err != nil {
			return err
		}
		if err := s.store.AddJobItems(ctx, items); err != nil {
			return err
		}
		if err := s.audit(ctx, job.OrganizationID, &actor.ID, nil, ActionImportStarted, map[string]any{
			"job_id": job.ID, "rows": report.Rows, "create": report.Create, "skip": report.Skip, "fail": report.Fail,
			"send_invites": imp.SendInvites, "format": imp.Format,
		}); err != nil {
			return err
		}
		return s.launch(ctx, &job, now)
	})
	return report, job, err
}

// validateImport turns rows into the job's items: pending for the rows to
// create, failed or skipped with the reasons for the others.
func (s *Service) validateImport(ctx context.Context, actor Actor, job Job, rows []ImportRow) ([]JobItem, error) {
	items := make([]JobItem, len(rows))
	firstRow := make(map[string]int, len(rows))
	var emails []string
	for i, r := range rows {
		it := JobItem{JobID: job.ID, Position: i + 1, Row: r.Row, Email: strings.TrimSpace(r.Email), Outcome: ItemPending, UpdatedAt: job.CreatedAt}
		n, errs := importUser(actor, r)
		if n.Email != "" {
			it.Email = n.Email
			if first, dup := firstRow[n.Email]; dup {
				errs = append(errs, apperr.Field("email", "duplicate_in_file", "%s is already on row %d", n.Email, first))
			} else {
				firstRow[n.Email] = r.Row
				emails = append(emails, n.Email)
			}
		}
		if len(errs) > 0 {
			it.Errors = errs
			it.finish(ItemFailed, ItemInvalid, rowMessage(errs), job.CreatedAt)
		} else {
			it.Input = &ImportRow{Email: n.Email, FirstName: n.FirstName, LastName: n.LastName, Role: string(n.Role), Locale: n.Locale}
		}
		items[i] = it
	}
	existing, err := s.store.UserStatusesByEmail(ctx, actor.OrganizationID, emails)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if st, ok := existing[items[i].Email]; ok && items[i].Outcome == ItemPending {
			existingUser(&items[i], st, job.CreatedAt)
		}
	}
	return items, nil
}

// importUser validates a row as POST /users validates a body, with the
// rank rule, and returns the normalized user (Email empty when invalid).
func importUser(actor Actor, r ImportRow) (NewUser, []apperr.FieldError) {
	n := NewUser{Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, Role: Role(strings.ToLower(strings.TrimSpace(r.Role))),
		Locale: r.Locale}
	errs := slices.Clone(r.problems)
	unknownRole := n.Role != "" && !slices.Contains(Roles, n.Role)
	if unknownRole {
		errs = append(errs, apperr.Field("role", "unknown_role", "role must be one of %s, got %q", joinValues(Roles), r.Role))
		n.Role = Learner // reported above; keep validate from reporting it again
	}
	for _, fe := range n.validate() {
		if fe.Field == "email" {
			n.Email = ""
		}
		errs = append(errs, fe)
	}
	if !unknownRole {
		if err := actor.requireMayGrant(n.Role); err != nil {
			errs = append(errs, apperr.Field("role", string(apperr.InsufficientRank), "%s", apperr.As(err).Message))
		}
	}
	return n, errs
}

// existingUser settles a row whose email already belongs to a user.
func existingUser(it *JobItem, st Status, now time.Time) {
	if st == Deactivated {
		it.Errors = []apperr.FieldError{apperr.Field("email", string(apperr.UserDeactivated),
			"%s belongs to a deactivated user; reactivate them instead", it.Email)}
		it.finish(ItemFailed, string(apperr.UserDeactivated), it.Errors[0].Message, now)
		return
	}
	it.finish(ItemSkipped, ItemAlreadyExists, fmt.Sprintf("%s already belongs to a user (%s)", it.Email, st), now)
}

func rowMessage(errs []apperr.FieldError) string {
	if len(errs) == 1 {
		return errs[0].Message
	}
	return fmt.Sprintf("%s (and %d more problems)", errs[0].Message, len(errs)-1)
}

func importReport(items []JobItem) ImportReport {
	r := ImportReport{Rows: len(items), Problems: []RowProblem{}}
	for _, it := range items {
		switch it.Outcome {
		case ItemPending, ItemSucceeded:
			r.Create++
			continue
		case ItemSkipped:
			r.Skip++
		case ItemFailed:
			r.Fail++
		}
		if len(it.Errors) == 0 {
			r.Problems = append(r.Problems, RowProblem{Row: it.Row, Email: it.Email, Outcome: it.Outcome, Code: it.Code, Message: it.Message})
		}
		for _, fe := range it.Errors {
			r.Problems = append(r.Problems, RowProblem{Row: it.Row, Email: it.Email, Outcome: it.Outcome, Field: fe.Field, Code: fe.Code, Message: fe.Message})
		}
	}
	return r
}
