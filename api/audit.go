package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/people"
)

// listAuditEvents godoc
//
//	@Summary		List audit events
//	@Description	The organization's audit trail, newest first: who did what to whom, from which request. Never contains a password or a token.
//	@ID				listAuditEvents
//	@Tags			Audit
//	@Security		BearerAuth
//	@Produce		json
//	@Param			action			query		string			false	"Only this action"				Enums(user.created, user.updated, invite.sent, invite.resent, invite.renewed, invite.accepted, invite.revoked, invite.expired, invite.link_issued, invite.reminded, user.password_set, user.password_changed, user.email_changed, user.role_changed, user.deactivated, user.reactivated, organization.created, organization.updated, bulk.resend_started, import.started, job.cancelled, auth.refresh_reuse_detected, webhook_endpoint.created, webhook_endpoint.updated, webhook_endpoint.deleted)
//	@Param			target_user_id	query		string			false	"Only events about this user"	format(uuid)	example(01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b)
//	@Param			actor_id		query		string			false	"Only events by this user"		format(uuid)	example(01a21560-7b2c-7d3e-8f40-5a6b7c8d9e0f)
//	@Param			limit			query		int				false	"Page size"						minimum(1)		maximum(200)	default(50)
//	@Param			cursor			query		string			false	"next_cursor of the previous page"	maxLength(512)
//	@Success		200				{object}	AuditEventList	"A page of audit events"
//	@Failure		400				{object}	Problem			"invalid_request: unknown parameter, action, malformed id or cursor"
//	@Failure		401				{object}	Problem			"unauthorized"
//	@Failure		403				{object}	Problem			"forbidden"
//	@Router			/audit-events [get]
func (s *Server) listAuditEvents(c echo.Context) error {
	if err := allowQuery(c, "action", "target_user_id", "actor_id", "limit", "cursor"); err != nil {
		return err
	}
	q := newQuery(c)
	p := people.AuditParams{Action: q.string("action"), TargetUserID: q.uuid("target_user_id"), ActorID: q.uuid("actor_id"),
		Limit: q.limit("limit", people.MaxPageSize), Cursor: q.string("cursor")}
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.svc.ListAuditEvents(c.Request().Context(), actorOf(c), p)
	if err != nil {
		return err
	}
	out := AuditEventList{Data: make([]AuditEvent, len(page.Events)), NextCursor: cursorPtr(page.NextCursor), HasMore: page.HasMore}
	for i, e := range page.Events {
		out.Data[i] = auditView(e)
	}
	return writeJSON(c, http.StatusOK, out)
}
