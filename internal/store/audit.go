package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/people"
)

// AddAuditEvent implements people.Store.
func (s *Store) AddAuditEvent(ctx context.Context, e *people.AuditEvent) error {
	meta, err := json.Marshal(e.Metadata)
	if err != nil {
		return internal(err, 1)
	}
	args := []any{e.ID, e.OrganizationID, e.ActorID, e.TargetUserID, e.Action, e.RequestID, e.ClientIP, string(meta), e.CreatedAt}
	if p := database.PipelineOf(ctx); p != nil {
		// Nothing in the transaction reads it back: it goes with the commit.
		p.Defer(func(err error) error { return internal(err, 1) },
			insertAuditEvent("$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9"), args...)
		return nil
	}
	return translate(s.conn(ctx).Exec(insertAuditEvent("?", "?", "?", "?", "?", "?", "?", "?", "?"), args...).Error, "Audit event")
}

// insertAuditEvent is the audit trail's insert with the placeholders given.
func insertAuditEvent(p ...string) string {
	return `INSERT INTO audit_events (id, organization_id, actor_id, target_user_id, action,
		request_id, client_ip, metadata, created_at) VALUES (` + strings.Join(p, ", ") + `)`
}

// ListAuditEvents implements people.Store, newest first by keyset.
func (s *Store) ListAuditEvents(ctx context.Context, orgID uuid.UUID, f people.AuditFilter) ([]people.AuditEvent, error) {
	q := s.conn(ctx).Model(&auditRow{}).Where("organization_id = ?", orgID)
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetUserID != nil {
		q = q.Where("target_user_id = ?", *f.TargetUserID)
	}
	if f.ActorID != nil {
		q = q.Where("actor_id = ?", *f.ActorID)
	}
	if f.After != nil {
		q = q.Where("(created_at, id) < (?, ?)", f.After.CreatedAt, f.After.ID)
	}
	var rows []auditRow
	if err := q.Order("created_at DESC, id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "Audit events")
	}
	events := make([]people.AuditEvent, len(rows))
	for i, r := range rows {
		events[i] = r.domain()
	}
	return events, nil
}
