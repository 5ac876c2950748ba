package people

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
)

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	Action       string
	TargetUserID *uuid.UUID
	ActorID      *uuid.UUID
	Limit        int
	After        *AuditCursor
}

// AuditCursor is the position after the last event of a page.
type AuditCursor = timeCursor

// AuditParams is an audit listing request in typed values; zero values
// filter nothing (Limit 0 is DefaultPageSize).
type AuditParams struct {
	Action       string
	TargetUserID *uuid.UUID
	ActorID      *uuid.UUID
	Limit        int
	Cursor       string
}

// AuditPage is one page of audit events.
type AuditPage struct {
	Events     []AuditEvent
	NextCursor string
	HasMore    bool
}

// ListAuditEvents pages the organization's audit trail, newest first.
func (s *Service) ListAuditEvents(ctx context.Context, actor Actor, p AuditParams) (AuditPage, error) {
	if err := actor.RequireManager(); err != nil {
		return AuditPage{}, err
	}
	f := AuditFilter{Limit: DefaultPageSize, TargetUserID: p.TargetUserID, ActorID: p.ActorID}
	var errs []apperr.FieldError
	if p.Action != "" {
		if !slices.Contains(AuditActions, p.Action) {
			errs = append(errs, apperr.Field("action", "invalid", "action must be one of %s, got %q", joinValues(AuditActions), p.Action))
		}
		f.Action = p.Action
	}
	var paging []apperr.FieldError
	f.Limit, f.After, paging = pageParams("limit", p.Limit, "cursor", p.Cursor)
	if errs = append(errs, paging...); len(errs) > 0 {
		return AuditPage{}, apperr.Invalid(errs...)
	}
	limit := f.Limit
	f.Limit++
	events, err := s.store.ListAuditEvents(ctx, actor.OrganizationID, f)
	if err != nil {
		return AuditPage{}, err
	}
	var page AuditPage
	page.Events, page.NextCursor, page.HasMore = trimPage(events, limit, func(last AuditEvent) string {
		return timeCursor{CreatedAt: last.CreatedAt, ID: last.ID}.encode()
	})
	return page, nil
}
