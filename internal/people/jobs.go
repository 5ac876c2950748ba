package people

import (
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
)

// JobKind is what a bulk job does.
type JobKind string

// Job kinds.
const (
	JobBulkResend JobKind = "bulk_resend"
	JobImport     JobKind = "import"
)

// JobState is where a bulk job is in its life.
type JobState string

// Job states: queued until the first batch starts, running while items are
// pending, then one of the four final states.
const (
	JobQueued          JobState = "queued"
	JobRunning         JobState = "running"
	JobSucceeded       JobState = "succeeded"
	JobPartiallyFailed JobState = "partially_failed"
	JobFailed          JobState = "failed"
	JobCancelled       JobState = "cancelled"
)

// Finished reports whether the state is final.
func (s JobState) Finished() bool { return s != JobQueued && s != JobRunning }

// ItemOutcome is what became of one item of a bulk job.
type ItemOutcome string

// Item outcomes.
const (
	ItemPending   ItemOutcome = "pending"
	ItemSucceeded ItemOutcome = "succeeded"
	ItemFailed    ItemOutcome = "failed"
	ItemSkipped   ItemOutcome = "skipped"
)

// ItemOutcomes lists every outcome, for filters.
var ItemOutcomes = []ItemOutcome{ItemPending, ItemSucceeded, ItemFailed, ItemSkipped}

// Codes of skipped and failed items. Rule codes reuse the API's problem codes
// (insufficient_rank, invite_not_pending, user_deactivated, not_found) so a
// client needs one vocabulary.
const (
	// ItemRecentlyInvited: the user got a newer invitation after the job was
	// accepted (by another bulk job or a single resend), so this job does not
	// mail them again.
	ItemRecentlyInvited = "recently_invited"
	// ItemCancelled: the job was cancelled before the item's turn.
	ItemCancelled = "cancelled"
	// ItemAlreadyExists: the import row's email already belongs to a user.
	ItemAlreadyExists = "already_exists"
	// ItemInvalid: the import row failed validation; errors lists why.
	ItemInvalid = "invalid_row"
	// ItemCreatorRevoked: the job's creator may no longer manage people.
	ItemCreatorRevoked = "creator_not_allowed"
)

// Job is a bulk resend or an import worked through in the background.
type Job struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	Kind           JobKind
	State          JobState
	Total          int
	Processed      int
	Succeeded      int
	Failed         int
	Skipped        int
	CreatedBy      *uuid.UUID
	Params         JobParams
	// CancelRequested is true once someone asked to cancel the job.
	CancelRequested bool
	// Request is the accepting request; the worker's audit events carry it.
	Request    RequestMeta
	CreatedAt  time.Time
	UpdatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// JobParams is what the job was asked to do, as shown to clients.
type JobParams struct {
	// Selection is user_ids or filter (bulk resend).
	Selection string            `json:"selection,omitempty"`
	UserIDs   int               `json:"user_id_count,omitempty"`
	Filter    *BulkFilterRecord `json:"filter,omitempty"`
	// ExpiresIn is the lifetime of the invitations a bulk resend sends, in
	// hours; zero is the organization's invite_ttl when each is sent.
	ExpiresIn int `json:"expires_in,omitempty"`
	// Format is csv or json and SendInvites the importer's option (import).
	Format      string `json:"format,omitempty"`
	SendInvites bool   `json:"send_invites,omitempty"`
}

// inviteOptions are the options of the invitations the job sends.
func (p JobParams) inviteOptions() InviteOptions {
	if p.ExpiresIn == 0 {
		return InviteOptions{}
	}
	return InviteOptions{ExpiresIn: new(time.Duration(p.ExpiresIn) * time.Hour)}
}

// count records one processed item in the counters.
func (j *Job) count(o ItemOutcome, n int) {
	switch o {
	case ItemSucceeded:
		j.Succeeded += n
	case ItemFailed:
		j.Failed += n
	case ItemSkipped:
		j.Skipped += n
	case ItemPending:
		return
	}
	j.Processed += n
}

// settle gives a job whose items are all processed its final state.
func (j *Job) settle(now time.Time) {
	switch {
	case j.CancelRequested:
		j.State = JobCancelled
	case j.Failed == 0:
		j.State = JobSucceeded
	case j.Succeeded == 0:
		j.State = JobFailed
	default:
		j.State = JobPartiallyFailed
	}
	if j.StartedAt == nil {
		j.StartedAt = &now
	}
	j.FinishedAt, j.UpdatedAt = &now, now
}

// JobItem is one selected user or imported row of a job.
type JobItem struct {
	JobID    uuid.UUID
	Position int
	UserID   *uuid.UUID
	// Row is the CSV line or JSON array index (1-based) of an import row; 0 otherwise.
	Row       int
	Email     string
	Input     *ImportRow
	Outcome   ItemOutcome
	Code      string
	Message   string
	Errors    []apperr.FieldError
	InviteID  *uuid.UUID
	UpdatedAt time.Time
}

// finish sets the item's outcome with a code and message (empty for success).
func (it *JobItem) finish(o ItemOutcome, code, message string, now time.Time) {
	it.Outcome, it.Code, it.Message, it.UpdatedAt = o, code, message, now
}

// skipFor records err as the reason the item was skipped.
func (it *JobItem) skipFor(err error, now time.Time) {
	ae := apperr.As(err)
	it.finish(ItemSkipped, string(ae.Code), ae.Message, now)
}

// JobFilter pages an organization's jobs, newest first.
type JobFilter struct {
	Limit int
	After *timeCursor
}

// ItemFilter pages a job's items in position order.
type ItemFilter struct {
	Outcome ItemOutcome
	// AfterPosition continues after this position.
	AfterPosition int
	Limit         int
}
