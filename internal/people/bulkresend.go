package people

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
)

// MaxBulkUserIDs bounds a bulk resend that names its users.
const MaxBulkUserIDs = 10_000

// BulkFilter selects users for a bulk resend with the semantics of the
// same parameters of GET /users; the status is always invite_pending.
type BulkFilter struct {
	Q                string
	InvitedBefore    *time.Time
	DeliveryStatuses []DeliveryStatus
	Roles            []Role
}

// BulkFilterRecord is a bulk filter as a job keeps and shows it.
type BulkFilterRecord struct {
	Q              string `json:"q,omitempty"`
	InvitedBefore  string `json:"invited_before,omitempty"`
	DeliveryStatus string `json:"delivery_status,omitempty"`
	Role           string `json:"role,omitempty"`
}

func (f BulkFilter) record() *BulkFilterRecord {
	r := &BulkFilterRecord{Q: f.Q, DeliveryStatus: strings.Join(strs(f.DeliveryStatuses), ","), Role: strings.Join(strs(f.Roles), ",")}
	if f.InvitedBefore != nil {
		r.InvitedBefore = f.InvitedBefore.UTC().Format(time.RFC3339Nano)
	}
	return r
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// BulkResendRequest is a bulk resend in typed values: exactly one of
// UserIDs and Filter.
type BulkResendRequest struct {
	UserIDs []uuid.UUID
	Filter  *BulkFilter
	DryRun  bool
	// Invite are the options of every invitation the job sends.
	Invite InviteOptions
}

// BulkPreview is what a bulk resend would do if it were accepted now.
type BulkPreview struct {
	// Matched is how many users would be sent a fresh invitation.
	Matched int
	// Skipped counts the selected users that would be skipped, per reason.
	Skipped map[string]int
}

// bulkSelection is a validated BulkResendRequest.
type bulkSelection struct {
	ids    []uuid.UUID
	filter *UserFilter
	params JobParams
}

// CheckBulkUserIDs refuses a bulk resend naming n users unless 1 ≤ n ≤
// MaxBulkUserIDs. A caller that reads the ids itself checks the count
// first, so that it never reads more ids than a request may hold.
func CheckBulkUserIDs(n int) error {
	if n == 0 || n > MaxBulkUserIDs {
		return apperr.Invalid(apperr.Field("user_ids", "invalid_length",
			"user_ids must hold from 1 to %d ids, got %d; select more users with filter", MaxBulkUserIDs, n))
	}
	return nil
}

func parseBulkSelection(r BulkResendRequest) (bulkSelection, error) {
	switch {
	case r.UserIDs != nil && r.Filter != nil:
		return bulkSelection{}, apperr.Invalid(apperr.Field("user_ids", "conflict", "give either user_ids or filter, not both"))
	case r.Filter != nil:
		f, err := UserQuery{Statuses: []Status{InvitePending}, Q: r.Filter.Q, InvitedBefore: r.Filter.InvitedBefore,
			DeliveryStatuses: r.Filter.DeliveryStatuses, Roles: r.Filter.Roles}.Filter()
		if err != nil {
			ae := apperr.As(err)
			for i := range ae.Fields {
				ae.Fields[i].Field = "filter." + ae.Fields[i].Field
			}
			return bulkSelection{}, ae
		}
		return bulkSelection{filter: &f, params: JobParams{Selection: "filter", Filter: r.Filter.record()}}, nil
	case r.UserIDs == nil:
		return bulkSelection{}, apperr.Invalid(apperr.Field("user_ids", "required", "give user_ids (a list of user ids) or filter (an object, {} for every invite-pending user)"))
	}
	if err := CheckBulkUserIDs(len(r.UserIDs)); err != nil {
		return bulkSelection{}, err
	}
	seen := make(map[uuid.UUID]bool, len(r.UserIDs))
	ids := make([]uuid.UUID, 0, len(r.UserIDs))
	for _, id := range r.UserIDs {
		if !seen[id] { // a user named twice is still resent once
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return bulkSelection{ids: ids, params: JobParams{Selection: "user_ids", UserIDs: len(ids)}}, nil
}

// ResendInvites is the bulk resend. With DryRun it only counts what would
// happen. Otherwise it freezes the selection — one item per selected user,
// in the request's transaction together with the job, its audit event and
// its first queued batch — and returns the queued job. Each user then gets
// exactly what a single resend gives; users who stopped being pending, who
// outrank the actor, or who don't exist are skipped with a reason.
func (s *Service) ResendInvites(ctx context.Context, actor Actor, r BulkResendRequest) (BulkPreview, Job, error) {
	if err := actor.RequireManager(); err != nil {
		return BulkPreview{}, Job{}, err
	}
	if fe := r.Invite.validate(); fe != nil {
		return BulkPreview{}, Job{}, apperr.Invalid(*fe)
	}
	sel, err := parseBulkSelection(r)
	if err != nil {
		return BulkPreview{}, Job{}, err
	}
	sel.params.ExpiresIn = r.Invite.hoursOf()
	if r.DryRun {
		p, err := s.previewResend(ctx, actor, sel)
		return p, Job{}, err
	}
	now := s.now()
	job := Job{ID: newID(), OrganizationID: actor.OrganizationID, Kind: JobBulkResend, State: JobQueued,
		CreatedBy: &actor.ID, Params: sel.params, Request: requestMeta(ctx), CreatedAt: now, UpdatedAt: now}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if sel.filter == nil {
			job.Total = len(sel.ids)
		}
		if err := s.store.CreateJob(ctx, &job); err != nil {
			return err
		}
		if sel.filter != nil {
			n, err := s.store.AddUserItems(ctx, job, *sel.filter)
			if err != nil {
				return err
			}
			job.Total = n
		} else {
			items := make([]JobItem, len(sel.ids))
			for i, id := range sel.ids {
				items[i] = JobItem{JobID: job.ID, Position: i + 1, UserID: &id, Outcome: ItemPending, UpdatedAt: now}
			}
			if err := s.store.AddJobItems(ctx, items); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, job.OrganizationID, &actor.ID, nil, ActionBulkResendStarted,
			map[string]any{"job_id": job.ID, "total": job.Total, "selection": sel.params.Selection}); err != nil {
			return err
		}
		return s.launch(ctx, &job, now)
	})
	return BulkPreview{}, job, err
}

// launch queues a new job's first batch, or settles a job with nothing to do.
func (s *Service) launch(ctx context.Context, job *Job, now time.Time) error {
	if job.Processed >= job.Total {
		job.settle(now)
	} else if err := s.store.EnqueueJobBatch(ctx, job.ID); err != nil {
		return err
	}
	return s.updateJob(ctx, job)
}

// previewResend counts what a bulk resend would do now.
func (s *Service) previewResend(ctx context.Context, actor Actor, sel bulkSelection) (BulkPreview, error) {
	p := BulkPreview{Skipped: map[string]int{}}
	if sel.filter != nil {
		counts, err := s.store.CountUsersByRole(ctx, actor.OrganizationID, *sel.filter)
		if err != nil {
			return BulkPreview{}, err
		}
		for role, n := range counts {
			if actor.requireOutranked(User{Role: role}) != nil {
				p.Skipped[string(apperr.InsufficientRank)] += n
			} else {
				p.Matched += n
			}
		}
		return p, nil
	}
	users, err := s.store.UsersByID(ctx, actor.OrganizationID, sel.ids)
	if err != nil {
		return BulkPreview{}, err
	}
	for _, u := range users {
		if _, err := resendAction(actor, u); err != nil {
			p.Skipped[string(apperr.As(err).Code)]++
		} else {
			p.Matched++
		}
	}
	if missing := len(sel.ids) - len(users); missing > 0 {
		p.Skipped[string(apperr.NotFound)] = missing
	}
	return p, nil
}
