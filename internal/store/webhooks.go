package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

type endpointRow struct {
	ID                uuid.UUID `gorm:"primaryKey"`
	OrganizationID    uuid.UUID
	URL               string `gorm:"column:url"`
	Description       string
	Events            string
	Enabled           bool
	DisabledReason    *string
	DisabledDetail    *string
	DisabledAt        *time.Time
	Secret            string
	PreviousSecret    *string
	PreviousExpiresAt *time.Time
	FailingSince      *time.Time
	CreatedBy         *uuid.UUID
	CreatedAt         time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt         time.Time `gorm:"autoUpdateTime:false"`
}

func (endpointRow) TableName() string { return "webhook_endpoints" }

// endpointColumns are the columns endpointRow reads; the lease is the deliverers' business.
var endpointColumns = []string{"id", "organization_id", "url", "description", "events", "enabled", "disabled_reason",
	"disabled_detail", "disabled_at", "secret", "previous_secret", "previous_expires_at", "failing_since", "created_by",
	"created_at", "updated_at"}

func endpointRowOf(e *people.WebhookEndpoint) endpointRow {
	return endpointRow{ID: e.ID, OrganizationID: e.OrganizationID, URL: e.URL, Description: e.Description,
		Events: strings.Join(e.Events, ","), Enabled: e.Enabled, DisabledReason: nonEmpty(string(e.DisabledReason)),
		DisabledDetail: nonEmpty(e.DisabledDetail), DisabledAt: e.DisabledAt, Secret: e.Secret,
		PreviousSecret: nonEmpty(e.PreviousSecret), PreviousExpiresAt: e.PreviousExpiresAt, FailingSince: e.FailingSince,
		CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func (r endpointRow) domain() people.WebhookEndpoint {
	return people.WebhookEndpoint{ID: r.ID, OrganizationID: r.OrganizationID, URL: r.URL, Description: r.Description,
		Events: strings.Split(r.Events, ","), Enabled: r.Enabled, DisabledReason: people.DisabledReason(deref(r.DisabledReason)),
		DisabledDetail: deref(r.DisabledDetail), DisabledAt: utcPtr(r.DisabledAt), Secret: r.Secret,
		PreviousSecret: deref(r.PreviousSecret), PreviousExpiresAt: utcPtr(r.PreviousExpiresAt),
		FailingSince: utcPtr(r.FailingSince), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateWebhookEndpoint implements people.Store.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *people.WebhookEndpoint) error {
	row := endpointRowOf(e)
	return translate(s.conn(ctx).Select(endpointColumns).Create(&row).Error, "Webhook endpoint")
}

// UpdateWebhookEndpoint implements people.Store.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, e *people.WebhookEndpoint) error {
	return s.updateEndpoint(ctx, e, "url", "description", "events", "enabled", "disabled_reason", "disabled_detail",
		"disabled_at", "secret", "previous_secret", "previous_expires_at", "failing_since", "updated_at")
}

// SetWebhookEndpointHealth implements people.Store.
func (s *Store) SetWebhookEndpointHealth(ctx context.Context, e *people.WebhookEndpoint) error {
	return s.updateEndpoint(ctx, e, "enabled", "disabled_reason", "disabled_detail", "disabled_at", "failing_since", "updated_at")
}

func (s *Store) updateEndpoint(ctx context.Context, e *people.WebhookEndpoint, columns ...string) error {
	row := endpointRowOf(e)
	res := s.conn(ctx).Model(&endpointRow{}).Where("id = ? AND organization_id = ?", e.ID, e.OrganizationID).
		Select(columns).Updates(&row)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "Webhook endpoint not found.")
	}
	return translate(res.Error, "Webhook endpoint")
}

// WebhookEndpoint implements people.Store.
func (s *Store) WebhookEndpoint(ctx context.Context, orgID, id uuid.UUID) (people.WebhookEndpoint, error) {
	return s.endpoint(ctx, orgID, id, false)
}

// LockWebhookEndpoint implements people.Store.
func (s *Store) LockWebhookEndpoint(ctx context.Context, orgID, id uuid.UUID) (people.WebhookEndpoint, error) {
	return s.endpoint(ctx, orgID, id, true)
}

func (s *Store) endpoint(ctx context.Context, orgID, id uuid.UUID, lock bool) (people.WebhookEndpoint, error) {
	q := s.conn(ctx).Select(endpointColumns).Where("organization_id = ? AND id = ?", orgID, id)
	if lock && s.postgres() {
		q = q.Clauses(lockingUpdate) // SQLite's immediate transactions already serialize writers
	}
	var row endpointRow
	err := q.Take(&row).Error
	return row.domain(), translate(err, "Webhook endpoint")
}

// ListWebhookEndpoints implements people.Store.
func (s *Store) ListWebhookEndpoints(ctx context.Context, orgID uuid.UUID) ([]people.WebhookEndpoint, error) {
	var rows []endpointRow
	if err := s.conn(ctx).Select(endpointColumns).Where("organization_id = ?", orgID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "Webhook endpoints")
	}
	out := make([]people.WebhookEndpoint, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// DeleteWebhookEndpoint implements people.Store.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, orgID, id uuid.UUID) error {
	res := s.conn(ctx).Where("organization_id = ? AND id = ?", orgID, id).Delete(&endpointRow{})
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "Webhook endpoint not found.")
	}
	return translate(res.Error, "Webhook endpoint")
}

type eventRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	OrganizationID uuid.UUID
	Type           string
	Payload        []byte
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
}

func (eventRow) TableName() string { return "webhook_events" }

type deliveryRow struct {
	Seq            int64 `gorm:"primaryKey;autoIncrement"`
	ID             uuid.UUID
	OrganizationID uuid.UUID
	EndpointID     uuid.UUID
	EventID        uuid.UUID
	EventType      string
	OrderingKey    *uuid.UUID
	Status         string
	Attempts       int
	NextAttemptAt  *time.Time
	LastAttemptAt  *time.Time
	LastStatus     *int
	LastError      *string
	LastLatencyMs  *int64 `gorm:"column:last_latency_ms"`
	ReplayOf       *uuid.UUID
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	FinishedAt     *time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

// deliveryColumns are the columns of a delivery but its seq, which the database assigns.
var deliveryColumns = []string{"id", "organization_id", "endpoint_id", "event_id", "event_type", "ordering_key", "status",
	"attempts", "next_attempt_at", "last_attempt_at", "last_status", "last_error", "last_latency_ms", "replay_of",
	"created_at", "finished_at"}

func deliveryRowOf(d *people.WebhookDelivery) deliveryRow {
	r := deliveryRow{ID: d.ID, OrganizationID: d.OrganizationID, EndpointID: d.EndpointID, EventID: d.EventID,
		EventType: string(d.EventType), OrderingKey: d.OrderingKey, Status: string(d.Status), Attempts: d.Attempts,
		NextAttemptAt: d.NextAttemptAt, LastAttemptAt: d.LastAttemptAt, LastError: nonEmpty(d.LastError),
		ReplayOf: d.ReplayOf, CreatedAt: d.CreatedAt, FinishedAt: d.FinishedAt}
	if d.LastAttemptAt != nil {
		r.LastStatus = nonZero(d.LastStatus)
		ms := d.LastLatency.Milliseconds()
		r.LastLatencyMs = &ms
	}
	return r
}

func nonZero(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func (r deliveryRow) domain() people.WebhookDelivery {
	d := people.WebhookDelivery{ID: r.ID, OrganizationID: r.OrganizationID, EndpointID: r.EndpointID, EventID: r.EventID,
		EventType: people.EventType(r.EventType), OrderingKey: r.OrderingKey, Status: people.WebhookDeliveryStatus(r.Status),
		Attempts: r.Attempts, NextAttemptAt: utcPtr(r.NextAttemptAt), LastAttemptAt: utcPtr(r.LastAttemptAt),
		LastError: deref(r.LastError), ReplayOf: r.ReplayOf, CreatedAt: r.CreatedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt)}
	if r.LastStatus != nil {
		d.LastStatus = *r.LastStatus
	}
	if r.LastLatencyMs != nil {
		d.LastLatency = time.Duration(*r.LastLatencyMs) * time.Millisecond
	}
	return d
}

// webhookInsertBatch keeps SQLite's multi-row inserts under its limit on
// bound parameters (16 columns a delivery).
const webhookInsertBatch = 500

// AddWebhookEvents implements people.Store. The rows go in in the order
// given, and the database assigns seq in that order, which is the order
// deliveries go out in.
func (s *Store) AddWebhookEvents(ctx context.Context, events []people.WebhookEvent, deliveries []people.WebhookDelivery) error {
	if s.postgres() {
		if err := s.insertEventsPG(ctx, events); err != nil {
			return err
		}
		return s.insertDeliveriesPG(ctx, deliveries)
	}
	for start := 0; start < len(events); start += webhookInsertBatch {
		part := events[start:min(start+webhookInsertBatch, len(events))]
		rows := make([]eventRow, len(part))
		for i, e := range part {
			rows[i] = eventRow{ID: e.ID, OrganizationID: e.OrganizationID, Type: string(e.Type), Payload: e.Payload, CreatedAt: e.CreatedAt}
		}
		if err := s.conn(ctx).Create(&rows).Error; err != nil {
			return translate(err, "Webhook event")
		}
	}
	for start := 0; start < len(deliveries); start += webhookInsertBatch {
		part := deliveries[start:min(start+webhookInsertBatch, len(deliveries))]
		rows := make([]deliveryRow, len(part))
		for i := range part {
			rows[i] = deliveryRowOf(&part[i])
		}
		if err := s.conn(ctx).Select(deliveryColumns).Create(&rows).Error; err != nil {
			return translate(err, "Webhook delivery")
		}
	}
	return nil
}

// On PostgreSQL a transaction's events and deliveries are one INSERT each,
// of rows unnested from one array parameter per column: one statement of
// 16 parameters for a bulk job's batch of 1,000 deliveries, where multi-row
// VALUES lists took two of 8,000 parameters each, every one bound, parsed
// and planned on its own (about a sixth less time for a batch's insert,
// BENCHMARKS.md). The arrays are bound directly on the driver, which
// encodes them in binary; gorm would spread a slice into a list of
// parameters.

const insertEventsPG = `INSERT INTO webhook_events (id, organization_id, type, payload, created_at)
	SELECT id, org, typ, payload, at FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[], $5::timestamptz[])
	AS e(id, org, typ, payload, at)`

func (s *Store) insertEventsPG(ctx context.Context, events []people.WebhookEvent) error {
	if len(events) == 0 {
		return nil
	}
	ids, orgs := make([]uuid.UUID, len(events)), make([]uuid.UUID, len(events))
	types, payloads, created := make([]string, len(events)), make([][]byte, len(events)), make([]time.Time, len(events))
	for i, e := range events {
		ids[i], orgs[i], types[i], payloads[i], created[i] = e.ID, e.OrganizationID, string(e.Type), e.Payload, e.CreatedAt
	}
	_, err := s.conn(ctx).Statement.ConnPool.ExecContext(ctx, insertEventsPG, ids, orgs, types, payloads, created)
	return translate(err, "Webhook event")
}

// WITH ORDINALITY and ORDER BY keep the rows in the order of the arrays,
// so that seq follows it.
const insertDeliveriesPG = `INSERT INTO webhook_deliveries (id, organization_id, endpoint_id, event_id, event_type,
		ordering_key, status, attempts, next_attempt_at, last_attempt_at, last_status, last_error, last_latency_ms,
		replay_of, created_at, finished_at)
	SELECT id, org, endpoint, event, typ, okey, status, attempts, next_at, last_at, last_status, last_error,
		last_latency, replay_of, created, finished
	FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::integer[],
		$9::timestamptz[], $10::timestamptz[], $11::integer[], $12::text[], $13::bigint[], $14::uuid[],
		$15::timestamptz[], $16::timestamptz[])
		WITH ORDINALITY AS d(id, org, endpoint, event, typ, okey, status, attempts, next_at, last_at, last_status,
			last_error, last_latency, replay_of, created, finished, n)
	ORDER BY n`

func (s *Store) insertDeliveriesPG(ctx context.Context, deliveries []people.WebhookDelivery) error {
	if len(deliveries) == 0 {
		return nil
	}
	n := len(deliveries)
	ids, orgs, endpoints, events := make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
	types, statuses, attempts := make([]string, n), make([]string, n), make([]int, n)
	keys, replays := make([]*uuid.UUID, n), make([]*uuid.UUID, n)
	nextAt, lastAt, created, finished := make([]*time.Time, n), make([]*time.Time, n), make([]time.Time, n), make([]*time.Time, n)
	lastStatus, lastError, lastLatency := make([]*int, n), make([]*string, n), make([]*int64, n)
	for i := range deliveries {
		r := deliveryRowOf(&deliveries[i])
		ids[i], orgs[i], endpoints[i], events[i], types[i] = r.ID, r.OrganizationID, r.EndpointID, r.EventID, r.EventType
		keys[i], statuses[i], attempts[i], nextAt[i], lastAt[i] = r.OrderingKey, r.Status, r.Attempts, r.NextAttemptAt, r.LastAttemptAt
		lastStatus[i], lastError[i], lastLatency[i], replays[i] = r.LastStatus, r.LastError, r.LastLatencyMs, r.ReplayOf
		created[i], finished[i] = r.CreatedAt, r.FinishedAt
	}
	_, err := s.conn(ctx).Statement.ConnPool.ExecContext(ctx, insertDeliveriesPG, ids, orgs, endpoints, events, types,
		keys, statuses, attempts, nextAt, lastAt, lastStatus, lastError, lastLatency, replays, created, finished)
	return translate(err, "Webhook delivery")
}

// EnqueueWebhookDeliveries implements people.Store.
func (s *Store) EnqueueWebhookDeliveries(ctx context.Context, endpointIDs []uuid.UUID) error {
	if len(endpointIDs) == 0 {
		return nil
	}
	tx, err := sqlTx(ctx)
	if err != nil {
		return apperr.Internal("enqueue webhook deliveries", err)
	}
	return s.queue.EnqueueWebhookDeliveries(ctx, tx, endpointIDs)
}

// AcquireWebhookLease implements people.Store.
func (s *Store) AcquireWebhookLease(ctx context.Context, endpointID uuid.UUID, token string, until, now time.Time) (people.WebhookEndpoint, bool, error) {
	res := s.conn(ctx).Exec(`UPDATE webhook_endpoints SET lease_until = ?, lease_token = ?
		WHERE id = ? AND enabled AND (lease_token = ? OR lease_until IS NULL OR lease_until < ?)`,
		until, token, endpointID, token, now)
	if res.Error != nil {
		return people.WebhookEndpoint{}, false, translate(res.Error, "Webhook endpoint")
	}
	if res.RowsAffected == 0 {
		return people.WebhookEndpoint{}, false, nil
	}
	var row endpointRow
	if err := s.conn(ctx).Select(endpointColumns).Where("id = ?", endpointID).Take(&row).Error; err != nil {
		return people.WebhookEndpoint{}, false, translate(err, "Webhook endpoint")
	}
	return row.domain(), true, nil
}

// ReleaseWebhookLease implements people.Store.
func (s *Store) ReleaseWebhookLease(ctx context.Context, endpointID uuid.UUID, token string) error {
	return translate(s.conn(ctx).Exec(`UPDATE webhook_endpoints SET lease_until = NULL, lease_token = NULL
		WHERE id = ? AND lease_token = ?`, endpointID, token).Error, "Webhook endpoint")
}

// dueWindow is how many pending deliveries of an endpoint one look at the
// queue reads, in order.
const dueWindow = 128

// DueWebhookDeliveries implements people.Store: the endpoint's pending
// deliveries in seq order, due now, and with no earlier pending delivery
// for the same user. It walks the queue in windows by seq (an index scan
// that stops early), so every earlier pending delivery has been seen when a
// later one is judged; asking the database for the due ones at once
// instead is answered, by a plan made without the values, by sorting the
// whole queue: with 10,000 pending that cost a quarter of a second a batch.
//
// The walk starts at the endpoint's low-water mark (queueMark), below which
// nothing is pending: the index of pending deliveries keeps the entries of
// delivered ones until vacuum, and a walk from the start of the endpoint's
// range stepped over all of them (BENCHMARKS.md, Outbound webhooks).
func (s *Store) DueWebhookDeliveries(ctx context.Context, endpointID uuid.UUID, now time.Time, limit int) (people.WebhookQueue, error) {
	var q people.WebhookQueue
	mark, err := s.queueMark(ctx, endpointID)
	if err != nil {
		return q, err
	}
	var events []uuid.UUID
	waiting := map[uuid.UUID]bool{} // users with an earlier pending delivery
	after, first, complete := mark.from, int64(0), false
	for len(q.Due) < limit {
		var rows []deliveryRow
		err := s.conn(ctx).Where("endpoint_id = ? AND status = 'pending' AND seq > ?", endpointID, after).
			Order("seq").Limit(dueWindow).Find(&rows).Error
		if err != nil {
			return q, translate(err, "Webhook deliveries")
		}
		if first == 0 && len(rows) > 0 {
			first = rows[0].Seq
		}
		for _, r := range rows {
			if len(q.Due) == limit {
				break
			}
			blocked := false
			if k := r.OrderingKey; k != nil {
				blocked, waiting[*k] = waiting[*k], true
			}
			switch {
			case blocked || r.NextAttemptAt == nil:
			case r.NextAttemptAt.After(now):
				q.Next = earliest(q.Next, r.NextAttemptAt.UTC())
			default:
				q.Due = append(q.Due, r.domain())
				events = append(events, r.EventID)
			}
		}
		if len(rows) < dueWindow {
			complete = true
			break
		}
		after = rows[len(rows)-1].Seq
	}
	if err := s.moveQueueMark(ctx, endpointID, mark, first, complete); err != nil {
		return q, err
	}
	if len(q.Due) == 0 {
		return q, nil
	}
	payloads := make(map[uuid.UUID][]byte, len(events))
	err = chunks(events, func(part []uuid.UUID) error {
		cond, arg := s.inList("id", "uuid", uuidStrings(part))
		var rows []eventRow
		if err := s.conn(ctx).Where(cond, arg).Find(&rows).Error; err != nil {
			return translate(err, "Webhook events")
		}
		for _, r := range rows {
			payloads[r.ID] = r.Payload
		}
		return nil
	})
	for i := range q.Due {
		q.Due[i].Payload = payloads[q.Due[i].EventID]
	}
	return q, err
}

func earliest(t *time.Time, u time.Time) *time.Time {
	if t == nil || u.Before(*t) {
		return &u
	}
	return t
}

// pgQueueMark reads an endpoint's mark, whether its candidate settled, and
// the highest seq handed out (is_called is false while the sequence has
// handed out nothing: its last_value is then the first it will).
//
// A candidate settled when no transaction older than the one that noted it
// is still running with a lock on webhook_deliveries: every transaction
// that writes a delivery holds one until it ends, and has its transaction
// id before it takes a seq (migration 00014's trigger), so one holding a
// seq up to the candidate is older. pg_locks shows every session's locks
// whatever its role, by database. The oldest running transaction of the
// server (pg_snapshot_xmin) being younger settles it too, but alone would
// wait for long transactions of other databases as well; it is there for a
// candidate so old that the 32-bit ids of pg_locks no longer compare with it.
const pgQueueMark = `SELECT queue_from, queue_candidate,
	queue_candidate_xid IS NOT NULL AND (pg_snapshot_xmin(pg_current_snapshot()) > queue_candidate_xid OR NOT EXISTS (
		SELECT 1 FROM pg_locks r JOIN pg_locks x ON x.pid = r.pid
		WHERE r.locktype = 'relation' AND r.relation = 'webhook_deliveries'::regclass
			AND r.database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock'
			AND age(x.transactionid) >= age(queue_candidate_xid::xid))) AS settled,
	(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM webhook_deliveries_seq_seq) AS allocated
	FROM webhook_endpoints WHERE id = ?`

// queueMark is an endpoint's low-water mark, as migration 00014 describes it.
type queueMark struct {
	// from: every delivery with seq up to it has ended, and no
	// transaction can still add one there.
	from int64
	// candidate may become from once settled: on PostgreSQL, once every
	// transaction that may hold a seq up to it has ended (pgQueueMark).
	candidate *int64
	settled   bool
	// allocated is the highest seq handed out so far.
	allocated int64
}

func (s *Store) queueMark(ctx context.Context, endpointID uuid.UUID) (queueMark, error) {
	var row struct {
		QueueFrom      int64
		QueueCandidate *int64
		Settled        bool
		Allocated      *int64
	}
	var q string
	if s.postgres() {
		q = pgQueueMark
	} else {
		// One writer at a time: whatever seq a reader sees handed out belongs to a committed row, or to none.
		q = `SELECT queue_from, (SELECT seq FROM sqlite_sequence WHERE name = 'webhook_deliveries') AS queue_candidate,
			true AS settled, (SELECT seq FROM sqlite_sequence WHERE name = 'webhook_deliveries') AS allocated
			FROM webhook_endpoints WHERE id = ?`
	}
	if err := s.conn(ctx).Raw(q, endpointID).Scan(&row).Error; err != nil {
		return queueMark{}, translate(err, "Webhook endpoint")
	}
	m := queueMark{from: row.QueueFrom, candidate: row.QueueCandidate, settled: row.Settled}
	if row.Allocated != nil {
		m.allocated = *row.Allocated
	}
	return m, nil
}

// moveQueueMark moves the mark after a walk that started at it. first is
// the seq of the first pending delivery the walk saw, 0 if none; complete,
// that the walk reached the end of the queue. A settled candidate becomes
// the mark, or just below the first pending delivery if that is lower, and
// the highest seq handed out so far becomes the next candidate.
func (s *Store) moveQueueMark(ctx context.Context, endpointID uuid.UUID, m queueMark, first int64, complete bool) error {
	if m.candidate != nil && !m.settled {
		return nil // the candidate's transactions may still be running
	}
	from := m.from
	if m.candidate != nil && (first > 0 || complete) {
		from = *m.candidate
		if first > 0 {
			from = min(from, first-1)
		}
	}
	if m.candidate != nil && m.allocated == *m.candidate && from <= m.from {
		return nil // nothing handed out since the candidate, which stays settled
	}
	if !s.postgres() {
		if from <= m.from {
			return nil
		}
		return translate(s.conn(ctx).Exec(`UPDATE webhook_endpoints SET queue_from = MAX(queue_from, ?) WHERE id = ?`,
			from, endpointID).Error, "Webhook endpoint")
	}
	// The transaction id is taken in this statement, after allocated was
	// read: every transaction holding a seq up to allocated is older.
	return translate(s.conn(ctx).Exec(`UPDATE webhook_endpoints SET queue_from = GREATEST(queue_from, ?),
		queue_candidate = ?, queue_candidate_xid = pg_current_xact_id() WHERE id = ?`,
		max(from, m.from), m.allocated, endpointID).Error, "Webhook endpoint")
}

type attemptRow struct {
	DeliveryID   uuid.UUID `gorm:"primaryKey"`
	Number       int       `gorm:"primaryKey;autoIncrement:false"`
	StartedAt    time.Time
	StatusCode   *int
	Error        *string
	LatencyMs    int64 `gorm:"column:latency_ms"`
	ResponseBody *string
}

func (attemptRow) TableName() string { return "webhook_attempts" }

// RecordWebhookAttempts implements people.Store.
func (s *Store) RecordWebhookAttempts(ctx context.Context, attempts []people.WebhookAttempt, deliveries []people.WebhookDelivery) error {
	if len(attempts) > 0 {
		rows := make([]attemptRow, len(attempts))
		for i, a := range attempts {
			rows[i] = attemptRow{DeliveryID: a.DeliveryID, Number: a.Number, StartedAt: a.StartedAt, StatusCode: nonZero(a.StatusCode),
				Error: nonEmpty(truncate(a.Error, 500)), LatencyMs: a.Latency.Milliseconds(), ResponseBody: nonEmpty(truncate(a.ResponseBody, 1024))}
		}
		if err := s.conn(ctx).Create(&rows).Error; err != nil {
			return translate(err, "Webhook attempt")
		}
	}
	if len(deliveries) == 0 {
		return nil
	}
	// One statement for the round, each column a CASE over the ids: a
	// round's updates are most of the writes of delivering.
	type column struct {
		name, pgType string
		value        func(r *deliveryRow) any
	}
	columns := []column{
		{"status", "text", func(r *deliveryRow) any { return r.Status }},
		{"attempts", "integer", func(r *deliveryRow) any { return r.Attempts }},
		{"next_attempt_at", "timestamptz", func(r *deliveryRow) any { return r.NextAttemptAt }},
		{"last_attempt_at", "timestamptz", func(r *deliveryRow) any { return r.LastAttemptAt }},
		{"last_status", "integer", func(r *deliveryRow) any { return r.LastStatus }},
		{"last_error", "text", func(r *deliveryRow) any { return nonEmpty(truncate(deref(r.LastError), 500)) }},
		{"last_latency_ms", "bigint", func(r *deliveryRow) any { return r.LastLatencyMs }},
		{"finished_at", "timestamptz", func(r *deliveryRow) any { return r.FinishedAt }},
	}
	rows := make([]deliveryRow, len(deliveries))
	for i := range deliveries {
		rows[i] = deliveryRowOf(&deliveries[i])
	}
	var q strings.Builder
	var args []any
	q.WriteString("UPDATE webhook_deliveries SET ")
	for c, col := range columns {
		if c > 0 {
			q.WriteString(", ")
		}
		q.WriteString(col.name + " = CASE id")
		for i := range rows {
			q.WriteString(" WHEN ? THEN " + s.typed(col.pgType))
			args = append(args, rows[i].ID, col.value(&rows[i]))
		}
		q.WriteString(" END")
	}
	q.WriteString(" WHERE id IN (")
	for i := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("?")
		args = append(args, rows[i].ID)
	}
	q.WriteString(")")
	return translate(s.conn(ctx).Exec(q.String(), args...).Error, "Webhook deliveries")
}

// typed is a placeholder that PostgreSQL reads as the type (its CASE
// branches need one; a NULL alone has none); SQLite takes values as they are.
func (s *Store) typed(pgType string) string {
	if s.postgres() {
		return "CAST(? AS " + pgType + ")"
	}
	return "?"
}

// DeferWebhookDeliveries implements people.Store.
func (s *Store) DeferWebhookDeliveries(ctx context.Context, endpointID uuid.UUID, until time.Time) error {
	return translate(s.conn(ctx).Exec(`UPDATE webhook_deliveries SET next_attempt_at = ?
		WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at < ?
		AND seq > (SELECT queue_from FROM webhook_endpoints WHERE id = ?)`, until, endpointID, until, endpointID).Error, "Webhook deliveries")
}

// WebhookDelivery implements people.Store.
func (s *Store) WebhookDelivery(ctx context.Context, orgID, id uuid.UUID) (people.WebhookDelivery, error) {
	var row deliveryRow
	err := s.conn(ctx).Where("organization_id = ? AND id = ?", orgID, id).Take(&row).Error
	return row.domain(), translate(err, "Webhook delivery")
}

// ListWebhookDeliveries implements people.Store, newest first by keyset.
func (s *Store) ListWebhookDeliveries(ctx context.Context, orgID, endpointID uuid.UUID, f people.DeliveryFilter) ([]people.WebhookDelivery, error) {
	q := s.conn(ctx).Where("organization_id = ? AND endpoint_id = ?", orgID, endpointID)
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.EventType != "" {
		q = q.Where("event_type = ?", string(f.EventType))
	}
	if f.After != nil {
		q = q.Where("(created_at, id) < (?, ?)", f.After.CreatedAt, f.After.ID)
	}
	var rows []deliveryRow
	if err := q.Order("created_at DESC, id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "Webhook deliveries")
	}
	out := make([]people.WebhookDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// WebhookAttempts implements people.Store.
func (s *Store) WebhookAttempts(ctx context.Context, deliveryID uuid.UUID) ([]people.WebhookAttempt, error) {
	var rows []attemptRow
	if err := s.conn(ctx).Where("delivery_id = ?", deliveryID).Order("number").Find(&rows).Error; err != nil {
		return nil, translate(err, "Webhook attempts")
	}
	out := make([]people.WebhookAttempt, len(rows))
	for i, r := range rows {
		out[i] = people.WebhookAttempt{DeliveryID: r.DeliveryID, Number: r.Number, StartedAt: r.StartedAt.UTC(),
			Error: deref(r.Error), Latency: time.Duration(r.LatencyMs) * time.Millisecond, ResponseBody: deref(r.ResponseBody)}
		if r.StatusCode != nil {
			out[i].StatusCode = *r.StatusCode
		}
	}
	return out, nil
}

// EndpointsWithDueDeliveries implements people.Store.
func (s *Store) EndpointsWithDueDeliveries(ctx context.Context, before time.Time) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	// Each endpoint's pending deliveries from its mark, until one is due.
	err := s.conn(ctx).Raw(`SELECT e.id FROM webhook_endpoints e WHERE e.enabled AND EXISTS (
		SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.seq > e.queue_from
		AND d.next_attempt_at <= ?)`, before).Scan(&ids).Error
	return ids, translate(err, "Webhook deliveries")
}

// ExpiredInvites implements people.Store.
func (s *Store) ExpiredInvites(ctx context.Context, now time.Time, limit int) ([]people.Invite, error) {
	lock := ""
	if s.postgres() {
		lock = " FOR UPDATE" // one sweep at a time; SQLite serializes writers anyway
	}
	var mark struct {
		ThroughAt time.Time
		ThroughID uuid.UUID
	}
	if err := s.conn(ctx).Raw(`SELECT through_at, through_id FROM invite_expiry_sweep` + lock).Scan(&mark).Error; err != nil {
		return nil, translate(err, "Expiry sweep")
	}
	// The mark bounds the index range from below (expires_at >= ?): in the
	// form (expires_at > ? OR (expires_at = ? AND id > ?)) alone, PostgreSQL
	// walked invites_expiry from its start, every invitation that ever
	// expired, on each sweep.
	rows, err := s.conn(ctx).Raw(inviteSelect+` WHERE i.expires_at >= ? AND (i.expires_at > ? OR i.id > ?) AND i.expires_at <= ?
		ORDER BY i.expires_at, i.id LIMIT ?`, mark.ThroughAt, mark.ThroughAt, mark.ThroughID, now, limit).Rows()
	if err != nil {
		return nil, translate(err, "Invites")
	}
	defer rows.Close()
	var out []people.Invite
	for rows.Next() {
		inv, err := scanInvite(rows)
		if err != nil {
			return nil, apperr.Internal("scan expired invite", err)
		}
		out = append(out, inv)
	}
	return out, translate(rows.Err(), "Invites")
}

// MarkExpirySwept implements people.Store.
func (s *Store) MarkExpirySwept(ctx context.Context, last people.Invite) error {
	return translate(s.conn(ctx).Exec(`UPDATE invite_expiry_sweep SET through_at = ?, through_id = ?`, last.ExpiresAt, last.ID).Error,
		"Expiry sweep")
}

// PurgeWebhookHistory implements jobs.Maintainer.
func (s *Store) PurgeWebhookHistory(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Exec(`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND finished_at < ?`, before)
	if res.Error != nil {
		return 0, translate(res.Error, "Webhook deliveries")
	}
	events := s.conn(ctx).Exec(`DELETE FROM webhook_events WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)`, before)
	return res.RowsAffected + events.RowsAffected, translate(events.Error, "Webhook events")
}
