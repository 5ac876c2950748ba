package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// Jobs are the organization's own (R8) and managers' only (R5).
func TestJobsTenantAndRoles(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org, other := e.Org(), e.Org()
		e.User(org, apitest.UserOpts{})
		job := accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}}))
		theirs := accepted(t, e.Post("/users/resend-invites", other.OwnerToken, map[string]any{"filter": map[string]any{}}))

		for _, path := range []string{"/jobs/" + theirs.ID.String(), "/jobs/" + uuid.NewString()} {
			e.Get(path, org.OwnerToken).ExpectProblem(http.StatusNotFound, "not_found")
			e.Post(path+"/cancel", org.OwnerToken, nil).ExpectProblem(http.StatusNotFound, "not_found")
		}
		e.OffContract().Get("/jobs/not-a-uuid", org.OwnerToken).ExpectProblem(http.StatusNotFound, "not_found")
		e.OffContract().Post("/jobs/not-a-uuid/cancel", org.OwnerToken, nil).ExpectProblem(http.StatusNotFound, "not_found")
		var list api.JobList
		e.Get("/jobs", org.OwnerToken).Expect(http.StatusOK).JSON(&list)
		require.Len(t, list.Data, 1)
		require.Equal(t, job.ID, list.Data[0].ID)
		require.Nil(t, list.Data[0].Items, "listings leave items out")

		_, learnerToken := e.Manager(org, people.Learner)
		_, curatorToken := e.Manager(org, people.Curator)
		_, peopleCuratorToken := e.Manager(org, people.Curator, people.PermissionPeople)
		for _, tok := range []string{learnerToken, curatorToken} {
			e.Get("/jobs", tok).ExpectProblem(http.StatusForbidden, "forbidden")
			e.Get("/jobs/"+job.ID.String(), tok).ExpectProblem(http.StatusForbidden, "forbidden")
			e.Post("/jobs/"+job.ID.String()+"/cancel", tok, nil).ExpectProblem(http.StatusForbidden, "forbidden")
			e.Post("/users/resend-invites", tok, map[string]any{"filter": map[string]any{}}).ExpectProblem(http.StatusForbidden, "forbidden")
			e.Do(apitest.Request{Method: http.MethodPost, Path: "/users/import", Token: tok, Body: csvBody("email", "x@example.com"),
				Header: map[string]string{"Content-Type": "text/csv"}}).ExpectProblem(http.StatusForbidden, "forbidden")
		}
		e.Get("/jobs/"+job.ID.String(), peopleCuratorToken).Expect(http.StatusOK)
		e.Get("/jobs", "").ExpectProblem(http.StatusUnauthorized, "unauthorized")
		e.OffContract().Post("/users/import", "", "[]").ExpectProblem(http.StatusUnauthorized, "unauthorized")
	})
}

// GET /jobs pages newest first; GET /jobs/{id} pages items in position order.
func TestJobsPaging(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ids := seedPending(t, e, org, 25, "page")
		var jobIDs []uuid.UUID
		for range 3 {
			jobIDs = append(jobIDs, accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}})).ID)
		}
		var page api.JobList
		e.Get("/jobs?limit=2", org.OwnerToken).Expect(http.StatusOK).JSON(&page)
		require.True(t, page.HasMore)
		require.Equal(t, []uuid.UUID{jobIDs[2], jobIDs[1]}, []uuid.UUID{page.Data[0].ID, page.Data[1].ID})
		e.Get("/jobs?limit=2&cursor="+*page.NextCursor, org.OwnerToken).Expect(http.StatusOK).JSON(&page)
		require.False(t, page.HasMore)
		require.Len(t, page.Data, 2, "two resends and the seeding import")
		require.Equal(t, jobIDs[0], page.Data[0].ID)
		require.Equal(t, "import", page.Data[1].Kind)

		items := itemPages(t, e, org.OwnerToken, jobIDs[0], 7, "")
		require.Len(t, items, 25, "four pages of at most 7, each continuing where the last ended")
		for i, it := range items {
			require.Equal(t, i+1, it.Position)
			require.Equal(t, ids[i], *it.UserID, "oldest user first")
			require.Equal(t, "pending", it.Outcome)
		}
		for _, q := range []string{"?items_limit=0", "?items_limit=1001", "?items_cursor=abc", "?items_outcome=done", "?limit=5"} {
			e.OffContract().Get("/jobs/"+jobIDs[0].String()+q, org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
		}
		e.Get("/jobs?cursor=nope", org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
	})
}

// Cancel stops a job between batches: the items processed stay, the rest
// are skipped as cancelled, and nothing more is sent.
func TestCancelBetweenBatches(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		n := people.BulkBatchSize + 200
		seedPending(t, e, org, n, "cancel")
		job := accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}}))
		require.Equal(t, n, job.Total)

		// One batch, as a worker would run it.
		require.NoError(t, e.Service.RunJobBatch(context.Background(), job.ID))
		var running api.Job
		e.Get("/jobs/"+job.ID.String(), org.OwnerToken).Expect(http.StatusOK).JSON(&running)
		require.Equal(t, "running", running.State)
		require.Equal(t, people.BulkBatchSize, running.Processed)

		var cancelled api.Job
		e.Post("/jobs/"+job.ID.String()+"/cancel", org.OwnerToken, nil).Expect(http.StatusOK).JSON(&cancelled)
		require.Equal(t, "cancelled", cancelled.State)
		require.True(t, cancelled.CancelRequested)
		require.Equal(t, []int{n, people.BulkBatchSize, 200}, []int{cancelled.Processed, cancelled.Succeeded, cancelled.Skipped})
		require.NotNil(t, cancelled.FinishedAt)
		for _, it := range allItems(t, e, org.OwnerToken, job.ID, "&items_outcome=skipped") {
			require.Equal(t, "cancelled", it.Code)
			require.Greater(t, it.Position, people.BulkBatchSize)
		}
		p := e.Post("/jobs/"+job.ID.String()+"/cancel", org.OwnerToken, nil).ExpectProblem(http.StatusConflict, "job_finished")
		require.Equal(t, "cancelled", p.JobState)

		// The queued next batch finds nothing to do.
		require.NoError(t, e.Service.RunJobBatch(context.Background(), job.ID))
		var after api.Job
		e.Get("/jobs/"+job.ID.String(), org.OwnerToken).Expect(http.StatusOK).JSON(&after)
		require.Equal(t, cancelled.Succeeded, after.Succeeded)
		var events api.AuditEventList
		e.Get("/audit-events?action=invite.sent", org.OwnerToken).Expect(http.StatusOK).JSON(&events)
		require.Equal(t, 50, len(events.Data), "a full page: the first batch's invitations")
		e.Get("/audit-events?action=job.cancelled", org.OwnerToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 1)
	})
}

// An Idempotency-Key makes a retried bulk request return the first job.
func TestBulkResendIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	org := e.Org()
	e.User(org, apitest.UserOpts{})
	req := apitest.Request{Method: http.MethodPost, Path: "/users/resend-invites", Token: org.OwnerToken,
		Body: map[string]any{"filter": map[string]any{}}, Header: map[string]string{"Idempotency-Key": "bulk-1"}}
	first := accepted(t, e.Do(req))
	r := e.Do(req)
	again := accepted(t, r)
	require.Equal(t, "true", r.Header.Get("Idempotent-Replayed"))
	require.Equal(t, first.ID, again.ID)
	var list api.JobList
	e.Get("/jobs", org.OwnerToken).Expect(http.StatusOK).JSON(&list)
	require.Len(t, list.Data, 1)
	req.Body = map[string]any{"filter": map[string]any{"q": "x"}}
	e.Do(req).ExpectProblem(http.StatusConflict, "idempotency_key_reused")
}

// A job whose creator may no longer manage people stops: its remaining items fail.
func TestJobStopsWhenCreatorLosesRights(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "postgres")
	org := e.Org()
	hr, hrToken := e.Manager(org, people.HR)
	seedPending(t, e, org, 3, "rights")
	job := accepted(t, e.Post("/users/resend-invites", hrToken, map[string]any{"filter": map[string]any{}}))
	e.Post("/users/"+hr.ID.String()+"/deactivate", org.OwnerToken, nil).Expect(http.StatusOK)
	e.StartWorkers()
	done := waitJob(t, e, org.OwnerToken, job.ID, 20*time.Second)
	require.Equal(t, "failed", done.State)
	require.Equal(t, 3, done.Failed)
	for _, it := range allItems(t, e, org.OwnerToken, job.ID, "") {
		require.Equal(t, "creator_not_allowed", it.Code)
	}
}

// Requests that can't start a job say what is wrong.
func TestBulkResendValidation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	org := e.Org()
	many := make([]string, people.MaxBulkUserIDs+1)
	for i := range many {
		many[i] = uuid.NewString()
	}
	cases := []struct {
		body  any
		field string
	}{
		{map[string]any{}, "user_ids"},
		{map[string]any{"user_ids": []string{}}, "user_ids"},
		{map[string]any{"user_ids": many}, "user_ids"},
		{map[string]any{"user_ids": []string{uuid.NewString(), "nope"}}, "user_ids[1]"},
		{map[string]any{"user_ids": []string{uuid.NewString()}, "filter": map[string]any{}}, "user_ids"},
		{map[string]any{"filter": map[string]any{"role": "boss"}}, "filter.role"},
		{map[string]any{"filter": map[string]any{"invited_before": "yesterday"}}, "filter.invited_before"},
		{map[string]any{"filter": map[string]any{"delivery_status": "lost"}}, "filter.delivery_status"},
		{map[string]any{"filter": map[string]any{"status": "confirmed"}}, "filter.status"},
	}
	for _, c := range cases {
		p := e.OffContract().Post("/users/resend-invites", org.OwnerToken, c.body).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, c.field, p.Errors[0].Field, "%v", c.body)
	}
	p := e.OffContract().Post("/users/resend-invites", org.OwnerToken, map[string]any{"user_ids": many}).ExpectProblem(http.StatusBadRequest, "invalid_request")
	require.True(t, strings.Contains(p.Detail, "10000"), p.Detail)
}
