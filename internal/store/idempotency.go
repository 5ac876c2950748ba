package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/people"
)

// IdempotencyTTL is how long a key's first response is replayed.
const IdempotencyTTL = 24 * time.Hour

type idempotencyRow struct {
	OrganizationID uuid.UUID `gorm:"primaryKey"`
	ActorID        uuid.UUID `gorm:"primaryKey"`
	Key            string    `gorm:"primaryKey"`
	RequestHash    string
	StatusCode     int
	ContentType    string
	Location       string
	ResponseBody   []byte
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt      time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// Idempotent implements people.IdempotencyStore: fn runs at most once per key: the key is claimed, fn runs and
// its response is stored, all in one transaction. A concurrent request with
// the same key waits for the first to finish and then replays its answer;
// if fn fails, nothing is kept and a retry runs it afresh. The same key with
// a different request is refused with idempotency_key_reused.
func (s *Store) Idempotent(ctx context.Context, k people.IdempotencyKey, fn func(ctx context.Context) (people.StoredResponse, error)) (resp people.StoredResponse, replayed bool, err error) {
	err = s.InTx(ctx, func(ctx context.Context) error {
		now := database.Now()
		row := idempotencyRow{OrganizationID: k.OrganizationID, ActorID: k.ActorID, Key: k.Key, RequestHash: k.RequestHash,
			CreatedAt: now, ExpiresAt: now.Add(IdempotencyTTL), ResponseBody: []byte{}}
		claim := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if claim.Error != nil {
			return translate(claim.Error, "Idempotency key")
		}
		if claim.RowsAffected == 0 {
			var prior idempotencyRow
			err := s.conn(ctx).Where("organization_id = ? AND actor_id = ? AND key = ?", k.OrganizationID, k.ActorID, k.Key).
				Take(&prior).Error
			if err != nil {
				return translate(err, "Idempotency key")
			}
			if prior.ExpiresAt.After(now) {
				if prior.RequestHash != k.RequestHash {
					return apperr.New(apperr.IdempotencyKeyReused,
						"This Idempotency-Key was already used with a different request; use a new key.")
				}
				resp = people.StoredResponse{Status: prior.StatusCode, ContentType: prior.ContentType, Location: prior.Location, Body: prior.ResponseBody}
				replayed = true
				return nil
			}
			// An expired key is free again: take it over.
			if err := s.conn(ctx).Model(&idempotencyRow{}).
				Where("organization_id = ? AND actor_id = ? AND key = ?", k.OrganizationID, k.ActorID, k.Key).
				Updates(map[string]any{"request_hash": k.RequestHash, "status_code": 0, "created_at": now,
					"expires_at": now.Add(IdempotencyTTL)}).Error; err != nil {
				return translate(err, "Idempotency key")
			}
		}
		var err error
		if resp, err = fn(ctx); err != nil {
			return err
		}
		return translate(s.conn(ctx).Model(&idempotencyRow{}).
			Where("organization_id = ? AND actor_id = ? AND key = ?", k.OrganizationID, k.ActorID, k.Key).
			Updates(map[string]any{"status_code": resp.Status, "content_type": resp.ContentType,
				"location": resp.Location, "response_body": resp.Body}).Error, "Idempotency key")
	})
	return resp, replayed, err
}

// PurgeDeliveryEvents deletes the record of provider events received before t.
func (s *Store) PurgeDeliveryEvents(ctx context.Context, t time.Time) (int64, error) {
	res := s.conn(ctx).Where("received_at < ?", t).Delete(&deliveryEventRow{})
	return res.RowsAffected, translate(res.Error, "Delivery events")
}

// PurgeIdempotencyKeys deletes keys that expired before t.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, t time.Time) (int64, error) {
	res := s.conn(ctx).Where("expires_at < ?", t).Delete(&idempotencyRow{})
	return res.RowsAffected, translate(res.Error, "Idempotency keys")
}
