package people

import (
	"context"

	"github.com/google/uuid"
)

// IdempotencyKey scopes a client's Idempotency-Key to its organization and
// actor, and binds it to the request it was first used with (R4).
type IdempotencyKey struct {
	OrganizationID uuid.UUID
	ActorID        uuid.UUID
	Key            string
	// RequestHash identifies the request: method, path and body.
	RequestHash string
}

// StoredResponse is a response kept for replay.
type StoredResponse struct {
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

// IdempotencyStore runs a request's work at most once per key.
type IdempotencyStore interface {
	// Idempotent claims the key, runs fn and keeps its response, all in
	// one transaction that fn's own work joins. A repeat of the request
	// replays the kept response (replayed is true); the same key with a
	// different request fails with idempotency_key_reused; if fn fails
	// nothing is kept.
	Idempotent(ctx context.Context, k IdempotencyKey, fn func(ctx context.Context) (StoredResponse, error)) (resp StoredResponse, replayed bool, err error)
}
