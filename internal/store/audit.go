package store

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/people"
)

// AddAuditEvent implements people.Store.
func (s *Store) AddAuditEvent(ctx context.Context, e *people.AuditEvent) error {
	meta, err := json.Marshal(e.Metadata)
	if err != nil {
		return internal(err, 1)
	}
	return translate(s.conn(ctx).Exec(`INSERT INTO audit_events (id, organization_id, actor_id, target_user_id, action,
		request_id, client_ip, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.OrganizationID, e.ActorID, e.TargetUserID, e.Action, e.RequestID, e.ClientIP, string(meta), e.CreatedAt).Error,
		"Audit event")
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
