package people

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
)

// Item paging limits.
const (
	DefaultItemPageSize = 100
	MaxItemPageSize     = 1000
)

// JobListParams is a job listing request in typed values (Limit 0 is DefaultPageSize).
type JobListParams struct {
	Limit  int
	Cursor string
}

// JobPage is one page of jobs, newest first.
type JobPage struct {
	Jobs       []Job
	NextCursor string
	HasMore    bool
}

// ItemParams pages a job's items (Limit 0 is DefaultItemPageSize; an
// empty Outcome is every outcome).
type ItemParams struct {
	Limit   int
	Cursor  string
	Outcome ItemOutcome
}

// ItemPage is one page of a job's items.
type ItemPage struct {
	Items      []JobItem
	NextCursor string
	HasMore    bool
}

// ListJobs pages the organization's bulk jobs, newest first.
func (s *Service) ListJobs(ctx context.Context, actor Actor, p JobListParams) (JobPage, error) {
	if err := actor.RequireManager(); err != nil {
		return JobPage{}, err
	}
	var f JobFilter
	var errs []apperr.FieldError
	if f.Limit, f.After, errs = pageParams("limit", p.Limit, "cursor", p.Cursor); len(errs) > 0 {
		return JobPage{}, apperr.Invalid(errs...)
	}
	limit := f.Limit
	f.Limit++
	jobs, err := s.store.ListJobs(ctx, actor.OrganizationID, f)
	if err != nil {
		return JobPage{}, err
	}
	var page JobPage
	page.Jobs, page.NextCursor, page.HasMore = trimPage(jobs, limit, func(last Job) string {
		return timeCursor{CreatedAt: last.CreatedAt, ID: last.ID}.encode()
	})
	return page, nil
}

// GetJob returns a job of the actor's organization with a page of its items.
func (s *Service) GetJob(ctx context.Context, actor Actor, id uuid.UUID, p ItemParams) (Job, ItemPage, error) {
	if err := actor.RequireManager(); err != nil {
		return Job{}, ItemPage{}, err
	}
	f := ItemFilter{Limit: DefaultItemPageSize}
	var errs []apperr.FieldError
	if p.Limit != 0 {
		if f.Limit = p.Limit; p.Limit < 1 || p.Limit > MaxItemPageSize {
			errs = append(errs, LimitError("items_limit", strconv.Itoa(p.Limit), MaxItemPageSize))
		}
	}
	if p.Outcome != "" {
		f.Outcome = p.Outcome
		if !slices.Contains(ItemOutcomes, f.Outcome) {
			errs = append(errs, apperr.Field("items_outcome", "invalid", "items_outcome must be one of %s, got %q", joinValues(ItemOutcomes), p.Outcome))
		}
	}
	if p.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
		n, cerr := strconv.Atoi(string(b))
		if err != nil || cerr != nil || n < 1 || len(p.Cursor) > MaxCursorLength {
			errs = append(errs, apperr.Field("items_cursor", "invalid", "items_cursor is not an items.next_cursor of this job"))
		}
		f.AfterPosition = n
	}
	if len(errs) > 0 {
		return Job{}, ItemPage{}, apperr.Invalid(errs...)
	}
	job, err := s.store.Job(ctx, actor.OrganizationID, id)
	if err != nil {
		return Job{}, ItemPage{}, err
	}
	limit := f.Limit
	f.Limit++
	items, err := s.store.JobItems(ctx, job.ID, f)
	if err != nil {
		return Job{}, ItemPage{}, err
	}
	var page ItemPage
	page.Items, page.NextCursor, page.HasMore = trimPage(items, limit, func(last JobItem) string {
		return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(last.Position)))
	})
	return job, page, nil
}

// CancelJob stops a job between batches: it waits for the batch in flight,
// then skips every item still pending with code cancelled. A finished job
// can't be cancelled (job_finished).
func (s *Service) CancelJob(ctx context.Context, actor Actor, id uuid.UUID) (Job, error) {
	if err := actor.RequireManager(); err != nil {
		return Job{}, err
	}
	var job Job
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.Job(ctx, actor.OrganizationID, id); err != nil {
			return err // another organization's job is not found, as R8 wants
		}
		var err error
		if job, err = s.store.LockJob(ctx, id); err != nil {
			return err
		}
		if job.State.Finished() {
			return apperr.New(apperr.JobFinished, "The job has already finished (%s); there is nothing left to cancel.", job.State).
				WithJobState(string(job.State))
		}
		now := s.now()
		job.CancelRequested = true
		n, err := s.store.FinishPendingItems(ctx, job.ID, ItemSkipped, ItemCancelled, "The job was cancelled before this item's turn.", now)
		if err != nil {
			return err
		}
		job.count(ItemSkipped, n)
		job.settle(now)
		if err := s.updateJob(ctx, &job); err != nil {
			return err
		}
		return s.audit(ctx, job.OrganizationID, &actor.ID, nil, ActionJobCancelled,
			map[string]any{"job_id": job.ID, "kind": job.Kind, "items_cancelled": n})
	})
	return job, err
}
