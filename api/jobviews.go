package api

import (
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// Job is a bulk resend or an import worked through in the background:
// enough to draw a progress bar (processed of total) and a result table
// (items).
type Job struct {
	ID   uuid.UUID `json:"id" format:"uuid" example:"01a21569-3b2c-7d4e-8f5a-6b7c8d9e0f1a"`
	Kind string    `json:"kind" enums:"bulk_resend,import" example:"bulk_resend"`
	// State is queued until the first batch starts and running until every
	// item is processed; then succeeded (no item failed), partially_failed,
	// failed (items failed and none succeeded) or cancelled.
	State string `json:"state" enums:"queued,running,succeeded,partially_failed,failed,cancelled" example:"running"`
	// Total is the number of items: selected users or imported rows.
	Total int `json:"total" example:"1240"`
	// Processed is Succeeded + Failed + Skipped.
	Processed int `json:"processed" example:"1000"`
	Succeeded int `json:"succeeded" example:"994"`
	Failed    int `json:"failed" example:"0"`
	Skipped   int `json:"skipped" example:"6"`
	// CancelRequested is true once the job was cancelled.
	CancelRequested bool       `json:"cancel_requested" example:"false"`
	Params          JobParams  `json:"params"`
	CreatedBy       *uuid.UUID `json:"created_by" format:"uuid" extensions:"x-nullable"`
	CreatedAt       time.Time  `json:"created_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
	StartedAt       *time.Time `json:"started_at" format:"date-time" extensions:"x-nullable"`
	FinishedAt      *time.Time `json:"finished_at" format:"date-time" extensions:"x-nullable"`
	// Items is a page of the job's items; only GET /jobs/{id} includes it.
	Items *JobItemList `json:"items,omitempty"`
}

// JobParams is what the job was asked to do.
type JobParams struct {
	// Selection says how a bulk resend chose its users.
	Selection string `json:"selection,omitempty" enums:"user_ids,filter" example:"filter"`
	// UserIDCount is how many distinct ids a bulk resend named.
	UserIDCount int               `json:"user_id_count,omitempty" example:"250"`
	Filter      *BulkResendFilter `json:"filter,omitempty"`
	// ExpiresIn is the lifetime in hours of the invitations a bulk resend sends; absent for the organization's invite_ttl.
	ExpiresIn int `json:"expires_in,omitempty" example:"72"`
	// Format is the import file's format.
	Format string `json:"format,omitempty" enums:"csv,json" example:"csv"`
	// SendInvites is the importer's option.
	SendInvites bool `json:"send_invites,omitempty" example:"false"`
}

// JobItem is one selected user (bulk resend) or imported row (import).
type JobItem struct {
	// Position orders the items, from 1.
	Position int `json:"position" example:"1"`
	// Row is the CSV line (the header is line 1) or the 1-based index in the JSON array of an import row.
	Row *int `json:"row,omitempty" example:"2"`
	// UserID is the selected user, or the user an import row created.
	UserID *uuid.UUID `json:"user_id" format:"uuid" extensions:"x-nullable"`
	Email  string     `json:"email,omitempty" example:"ada.lovelace@example.com"`
	// Outcome is pending until the item's batch runs.
	Outcome string `json:"outcome" enums:"pending,succeeded,failed,skipped" example:"skipped"`
	// Code says why an item was skipped or failed.
	Code    string `json:"code,omitempty" enums:"not_found,insufficient_rank,invite_not_pending,recently_invited,cancelled,already_exists,invalid_row,user_deactivated,creator_not_allowed" example:"invite_not_pending"`
	Message string `json:"message,omitempty" example:"Invitations can only be resent to invite-pending users; this user is confirmed."`
	// Errors lists every problem of an invalid import row.
	Errors []apperr.FieldError `json:"errors,omitempty"`
	// InviteID is the invitation the item created; its delivery shows on the user.
	InviteID  *uuid.UUID `json:"invite_id,omitempty" format:"uuid"`
	UpdatedAt time.Time  `json:"updated_at" format:"date-time" example:"2026-11-24T16:05:14Z"`
}

// JobItemList is a page of a job's items in position order.
type JobItemList struct {
	Data []JobItem `json:"data"`
	// NextCursor is the items_cursor of the next page; null on the last.
	NextCursor *string `json:"next_cursor" extensions:"x-nullable" example:"MTAw"`
	HasMore    bool    `json:"has_more" example:"true"`
}

// JobList is a page of jobs, newest first.
type JobList struct {
	Data       []Job   `json:"data"`
	NextCursor *string `json:"next_cursor" extensions:"x-nullable"`
	HasMore    bool    `json:"has_more" example:"false"`
}

// JobAccepted answers a request that started a job.
type JobAccepted struct {
	// DryRun is always false here: it tells this answer from the dry-run
	// report of the same request, whose dry_run is true.
	DryRun bool `json:"dry_run" enums:"false" example:"false"`
	Job    Job  `json:"job"`
}

func jobView(j people.Job) Job {
	v := Job{ID: j.ID, Kind: string(j.Kind), State: string(j.State), Total: j.Total, Processed: j.Processed,
		Succeeded: j.Succeeded, Failed: j.Failed, Skipped: j.Skipped, CancelRequested: j.CancelRequested,
		Params: JobParams{Selection: j.Params.Selection, UserIDCount: j.Params.UserIDs, ExpiresIn: j.Params.ExpiresIn, Format: j.Params.Format,
			SendInvites: j.Params.SendInvites},
		CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt.UTC(), StartedAt: utc(j.StartedAt), FinishedAt: utc(j.FinishedAt)}
	if f := j.Params.Filter; f != nil {
		v.Params.Filter = &BulkResendFilter{Q: f.Q, InvitedBefore: f.InvitedBefore, DeliveryStatus: f.DeliveryStatus, Role: f.Role}
	}
	return v
}

func jobItemView(it people.JobItem) JobItem {
	v := JobItem{Position: it.Position, UserID: it.UserID, Email: it.Email, Outcome: string(it.Outcome), Code: it.Code,
		Message: it.Message, Errors: it.Errors, InviteID: it.InviteID, UpdatedAt: it.UpdatedAt.UTC()}
	if it.Row > 0 {
		v.Row = &it.Row
	}
	return v
}
