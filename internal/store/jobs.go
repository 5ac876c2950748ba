package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

type jobRow struct {
	ID              uuid.UUID `gorm:"primaryKey"`
	OrganizationID  uuid.UUID
	Kind            string
	State           string
	Total           int
	Processed       int
	Succeeded       int
	Failed          int
	Skipped         int
	CreatedBy       *uuid.UUID
	Params          string
	CancelRequested bool
	RequestID       string
	ClientIP        string    `gorm:"column:client_ip"`
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt       time.Time `gorm:"autoUpdateTime:false"`
	StartedAt       *time.Time
	FinishedAt      *time.Time
}

func (jobRow) TableName() string { return "bulk_jobs" }

func jobRowOf(j *people.Job) (jobRow, error) {
	params, err := json.Marshal(j.Params)
	if err != nil {
		return jobRow{}, internal(err, 1)
	}
	return jobRow{ID: j.ID, OrganizationID: j.OrganizationID, Kind: string(j.Kind), State: string(j.State),
		Total: j.Total, Processed: j.Processed, Succeeded: j.Succeeded, Failed: j.Failed, Skipped: j.Skipped,
		CreatedBy: j.CreatedBy, Params: string(params), CancelRequested: j.CancelRequested,
		RequestID: j.Request.RequestID, ClientIP: j.Request.ClientIP, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}, nil
}

func (r jobRow) domain() people.Job {
	j := people.Job{ID: r.ID, OrganizationID: r.OrganizationID, Kind: people.JobKind(r.Kind), State: people.JobState(r.State),
		Total: r.Total, Processed: r.Processed, Succeeded: r.Succeeded, Failed: r.Failed, Skipped: r.Skipped,
		CreatedBy: r.CreatedBy, CancelRequested: r.CancelRequested,
		Request:   people.RequestMeta{RequestID: r.RequestID, ClientIP: r.ClientIP},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), StartedAt: utcPtr(r.StartedAt), FinishedAt: utcPtr(r.FinishedAt)}
	_ = json.Unmarshal([]byte(r.Params), &j.Params) // written by jobRowOf; a stranger value shows as no params
	return j
}

type jobItemRow struct {
	JobID     uuid.UUID `gorm:"primaryKey"`
	Position  int       `gorm:"primaryKey;autoIncrement:false"`
	UserID    *uuid.UUID
	RowNumber *int
	Email     *string
	Input     *string
	Outcome   string
	Code      *string
	Message   *string
	Errors    *string
	InviteID  *uuid.UUID
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

func (jobItemRow) TableName() string { return "bulk_job_items" }

func jobItemRowOf(it *people.JobItem) (jobItemRow, error) {
	r := jobItemRow{JobID: it.JobID, Position: it.Position, UserID: it.UserID, Email: nonEmpty(it.Email),
		Outcome: string(it.Outcome), Code: nonEmpty(it.Code), Message: nonEmpty(it.Message), InviteID: it.InviteID,
		UpdatedAt: it.UpdatedAt}
	if it.Row > 0 {
		r.RowNumber = &it.Row
	}
	if it.Input != nil {
		b, err := json.Marshal(it.Input)
		if err != nil {
			return jobItemRow{}, internal(err, 1)
		}
		r.Input = new(string(b))
	}
	if len(it.Errors) > 0 {
		b, err := json.Marshal(it.Errors)
		if err != nil {
			return jobItemRow{}, internal(err, 1)
		}
		r.Errors = new(string(b))
	}
	return r, nil
}

func (r jobItemRow) domain() people.JobItem {
	it := people.JobItem{JobID: r.JobID, Position: r.Position, UserID: r.UserID, Outcome: people.ItemOutcome(r.Outcome),
		InviteID: r.InviteID, UpdatedAt: r.UpdatedAt.UTC()}
	if r.RowNumber != nil {
		it.Row = *r.RowNumber
	}
	it.Email, it.Code, it.Message = deref(r.Email), deref(r.Code), deref(r.Message)
	if r.Input != nil {
		it.Input = &people.ImportRow{Row: it.Row}
		_ = json.Unmarshal([]byte(*r.Input), it.Input)
	}
	if r.Errors != nil {
		_ = json.Unmarshal([]byte(*r.Errors), &it.Errors)
	}
	return it
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateJob implements people.Store.
func (s *Store) CreateJob(ctx context.Context, j *people.Job) error {
	row, err := jobRowOf(j)
	if err != nil {
		return err
	}
	return translate(s.conn(ctx).Create(&row).Error, "Job")
}

// UpdateJob implements people.Store.
func (s *Store) UpdateJob(ctx context.Context, j *people.Job) error {
	row, err := jobRowOf(j)
	if err != nil {
		return err
	}
	res := s.conn(ctx).Model(&jobRow{}).Where("id = ?", j.ID).
		Select("state", "total", "processed", "succeeded", "failed", "skipped", "cancel_requested", "updated_at",
			"started_at", "finished_at").Updates(&row)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "Job not found.")
	}
	return translate(res.Error, "Job")
}

// Job implements people.Store.
func (s *Store) Job(ctx context.Context, orgID, id uuid.UUID) (people.Job, error) {
	var row jobRow
	err := s.conn(ctx).Where("organization_id = ? AND id = ?", orgID, id).Take(&row).Error
	return row.domain(), translate(err, "Job")
}

var lockingUpdate = clause.Locking{Strength: clause.LockingStrengthUpdate}

// LockJob implements people.Store.
func (s *Store) LockJob(ctx context.Context, id uuid.UUID) (people.Job, error) {
	q := s.conn(ctx).Where("id = ?", id)
	if s.postgres() {
		q = q.Clauses(lockingUpdate) // SQLite's immediate transactions already serialize writers
	}
	var row jobRow
	err := q.Take(&row).Error
	return row.domain(), translate(err, "Job")
}

// ListJobs implements people.Store, newest first by keyset.
func (s *Store) ListJobs(ctx context.Context, orgID uuid.UUID, f people.JobFilter) ([]people.Job, error) {
	q := s.conn(ctx).Where("organization_id = ?", orgID)
	if f.After != nil {
		q = q.Where("(created_at, id) < (?, ?)", f.After.CreatedAt, f.After.ID)
	}
	var rows []jobRow
	if err := q.Order("created_at DESC, id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "Jobs")
	}
	jobs := make([]people.Job, len(rows))
	for i, r := range rows {
		jobs[i] = r.domain()
	}
	return jobs, nil
}

// itemInsertBatch keeps a multi-row insert under both databases' limits
// on bound parameters (12 columns a row).
const itemInsertBatch = 1000

// AddJobItems implements people.Store.
func (s *Store) AddJobItems(ctx context.Context, items []people.JobItem) error {
	for start := 0; start < len(items); start += itemInsertBatch {
		chunk := items[start:min(start+itemInsertBatch, len(items))]
		rows := make([]jobItemRow, len(chunk))
		for i := range chunk {
			r, err := jobItemRowOf(&chunk[i])
			if err != nil {
				return err
			}
			rows[i] = r
		}
		if err := s.conn(ctx).Create(&rows).Error; err != nil {
			return translate(err, "Job item")
		}
	}
	return nil
}

// JobItems implements people.Store.
func (s *Store) JobItems(ctx context.Context, jobID uuid.UUID, f people.ItemFilter) ([]people.JobItem, error) {
	q := s.conn(ctx).Where("job_id = ? AND position > ?", jobID, f.AfterPosition)
	if f.Outcome != "" {
		q = q.Where("outcome = ?", string(f.Outcome))
	}
	var rows []jobItemRow
	if err := q.Order("position").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "Job items")
	}
	items := make([]people.JobItem, len(rows))
	for i, r := range rows {
		items[i] = r.domain()
	}
	return items, nil
}

// UpdateJobItems implements people.Store.
func (s *Store) UpdateJobItems(ctx context.Context, items []people.JobItem) error {
	for i := range items {
		r, err := jobItemRowOf(&items[i])
		if err != nil {
			return err
		}
		err = s.conn(ctx).Model(&jobItemRow{}).Where("job_id = ? AND position = ?", r.JobID, r.Position).
			Select("user_id", "email", "outcome", "code", "message", "errors", "invite_id", "updated_at").Updates(&r).Error
		if err != nil {
			return translate(err, "Job item")
		}
	}
	return nil
}

// FinishPendingItems implements people.Store.
func (s *Store) FinishPendingItems(ctx context.Context, jobID uuid.UUID, o people.ItemOutcome, code, message string, at time.Time) (int, error) {
	res := s.conn(ctx).Model(&jobItemRow{}).Where("job_id = ? AND outcome = ?", jobID, string(people.ItemPending)).
		Updates(map[string]any{"outcome": string(o), "code": nonEmpty(code), "message": nonEmpty(message), "updated_at": at})
	return int(res.RowsAffected), translate(res.Error, "Job items")
}

// AddUserItems implements people.Store: one INSERT … SELECT over the same
// conditions as ListUsers.
func (s *Store) AddUserItems(ctx context.Context, j people.Job, f people.UserFilter) (int, error) {
	l := s.userFilter(j.OrganizationID, f)
	q := `INSERT INTO bulk_job_items (job_id, position, user_id, outcome, updated_at)
		SELECT ` + s.param("uuid") + `, ROW_NUMBER() OVER (ORDER BY u.created_at, u.id), u.id, 'pending', ` + s.param("timestamptz") + `
		FROM ` + l.source() + ` WHERE ` + l.conditions()
	res := s.listingConn(ctx, l).Exec(q, l.bind(j.ID, j.CreatedAt)...)
	return int(res.RowsAffected), translate(res.Error, "Job items")
}

// param is a bound parameter of a SELECT list; PostgreSQL needs its type
// spelled out there, SQLite takes the value as it comes.
func (s *Store) param(pgType string) string {
	if s.postgres() {
		return "CAST(? AS " + pgType + ")"
	}
	return "?"
}
