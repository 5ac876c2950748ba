package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/people"
)

// listJobs godoc
//
//	@Summary		List bulk jobs
//	@Description	The organization's bulk resends and imports, newest first, without their items.
//	@ID				listJobs
//	@Tags			Bulk
//	@Security		BearerAuth
//	@Produce		json
//	@Param			limit	query		int		false	"Page size"	minimum(1)	maximum(200)	default(50)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"	maxLength(512)
//	@Success		200		{object}	JobList
//	@Failure		400		{object}	Problem	"invalid_request"
//	@Failure		401		{object}	Problem	"unauthorized"
//	@Failure		403		{object}	Problem	"forbidden"
//	@Router			/jobs [get]
func (s *Server) listJobs(c echo.Context) error {
	if err := allowQuery(c, "limit", "cursor"); err != nil {
		return err
	}
	q := newQuery(c)
	p := people.JobListParams{Limit: q.limit("limit", people.MaxPageSize), Cursor: q.string("cursor")}
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.svc.ListJobs(c.Request().Context(), actorOf(c), p)
	if err != nil {
		return err
	}
	out := JobList{Data: make([]Job, len(page.Jobs)), NextCursor: cursorPtr(page.NextCursor), HasMore: page.HasMore}
	for i, j := range page.Jobs {
		out.Data[i] = jobView(j)
	}
	return writeJSON(c, http.StatusOK, out)
}

// getJob godoc
//
//	@Summary		Get a bulk job
//	@Description	The job's progress and a page of its items in position order: each selected user or imported row with its outcome and, when skipped or failed, a code and message. Page through the items with items_cursor; items_outcome=failed lists only the failures.
//	@ID				getJob
//	@Tags			Bulk
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id				path		string	true	"Job id"	format(uuid)
//	@Param			items_limit		query		int		false	"Items per page"	minimum(1)	maximum(1000)	default(100)
//	@Param			items_cursor	query		string	false	"items.next_cursor of the previous page"	maxLength(512)
//	@Param			items_outcome	query		string	false	"Only items with this outcome"	Enums(pending, succeeded, failed, skipped)
//	@Success		200				{object}	Job
//	@Failure		400				{object}	Problem	"invalid_request"
//	@Failure		401				{object}	Problem	"unauthorized"
//	@Failure		403				{object}	Problem	"forbidden"
//	@Failure		404				{object}	Problem	"not_found"
//	@Router			/jobs/{id} [get]
func (s *Server) getJob(c echo.Context) error {
	if err := allowQuery(c, "items_limit", "items_cursor", "items_outcome"); err != nil {
		return err
	}
	id, err := pathUUID(c, "Job")
	if err != nil {
		return err
	}
	q := newQuery(c)
	p := people.ItemParams{Limit: q.limit("items_limit", people.MaxItemPageSize), Cursor: q.string("items_cursor"), Outcome: people.ItemOutcome(q.string("items_outcome"))}
	if err := q.err(); err != nil {
		return err
	}
	job, page, err := s.svc.GetJob(c.Request().Context(), actorOf(c), id, p)
	if err != nil {
		return err
	}
	v := jobView(job)
	v.Items = &JobItemList{Data: make([]JobItem, len(page.Items)), NextCursor: cursorPtr(page.NextCursor), HasMore: page.HasMore}
	for i, it := range page.Items {
		v.Items.Data[i] = jobItemView(it)
	}
	return writeJSON(c, http.StatusOK, v)
}

// cancelJob godoc
//
//	@Summary		Cancel a bulk job
//	@Description	Stops the job between batches: the batch in flight finishes (the call waits for it), and every item still pending is skipped with code cancelled. The answer is the job in its final state, cancelled.
//	@ID				cancelJob
//	@Tags			Bulk
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"Job id"	format(uuid)
//	@Success		200	{object}	Job
//	@Failure		401	{object}	Problem	"unauthorized"
//	@Failure		403	{object}	Problem	"forbidden"
//	@Failure		404	{object}	Problem	"not_found"
//	@Failure		409	{object}	Problem	"job_finished"
//	@Router			/jobs/{id}/cancel [post]
func (s *Server) cancelJob(c echo.Context) error {
	id, err := pathUUID(c, "Job")
	if err != nil {
		return err
	}
	job, err := s.svc.CancelJob(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, jobView(job))
}
