package people

import (
	"context"
	"regexp"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
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

// IdempotentRequest is an action asked for under an Idempotency-Key.
type IdempotentRequest struct {
	// Key is the client's Idempotency-Key; empty runs the action plainly.
	Key string
	// Fingerprint identifies the request the key is bound to: whoever
	// receives it (the HTTP layer) hashes what makes two requests the same.
	Fingerprint string
}

var idempotencyKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// Idempotent runs act at most once per key (R4): a retry with the same key
// and fingerprint returns the first response (replayed is true) instead of
// acting again, in one transaction with act's own work; the same key with
// another request fails with idempotency_key_reused. Every idempotent
// action manages people, so the actor is checked first: a replay, which
// never reaches the action, still honours a demotion.
func (s *Service) Idempotent(ctx context.Context, actor Actor, r IdempotentRequest,
	act func(ctx context.Context) (StoredResponse, error)) (resp StoredResponse, replayed bool, err error) {
	if err := actor.RequireManager(); err != nil {
		return StoredResponse{}, false, err
	}
	if r.Key == "" {
		resp, err = act(ctx)
		return resp, false, err
	}
	if !idempotencyKeyPattern.MatchString(r.Key) {
		return StoredResponse{}, false, apperr.Invalid(apperr.Field("Idempotency-Key", "invalid",
			"Idempotency-Key must be 1-255 visible ASCII characters"))
	}
	return s.store.Idempotent(ctx, IdempotencyKey{OrganizationID: actor.OrganizationID, ActorID: actor.ID, Key: r.Key,
		RequestHash: r.Fingerprint}, act)
}
