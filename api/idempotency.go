package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

var idempotencyKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// response is what a handler answers: kept for replay under an Idempotency-Key.
type response struct {
	status   int
	body     any
	location string
	// replay, when set, is the body kept for a replay instead of body: an
	// answer that holds a secret, shown once, keeps a copy without it.
	replay any
}

// idempotent runs act once per Idempotency-Key (R4): a retry with the same
// key and request replays the first response, marked Idempotent-Replayed.
// Without the header act simply runs.
func (s *Server) idempotent(c echo.Context, actor people.Actor, rawBody []byte, act func(ctx context.Context) (response, error)) error {
	// Every idempotent route manages people. The check comes first so that a
	// replay, which never reaches the service, still honours a demotion.
	if err := actor.RequireManager(); err != nil {
		return err
	}
	key := c.Request().Header.Get("Idempotency-Key")
	ctx := c.Request().Context()
	if key == "" {
		r, err := act(ctx)
		if err != nil {
			return err
		}
		if r.location != "" {
			c.Response().Header().Set(echo.HeaderLocation, r.location)
		}
		return writeJSON(c, r.status, r.body)
	}
	if !idempotencyKeyPattern.MatchString(key) {
		return apperr.Invalid(apperr.Field("Idempotency-Key", "invalid", "Idempotency-Key must be 1-255 visible ASCII characters"))
	}
	h := sha256.New()
	h.Write([]byte(c.Request().Method + " " + c.Request().URL.Path + "\n"))
	h.Write(rawBody)
	var first response
	stored, replayed, err := s.idem.Idempotent(ctx, people.IdempotencyKey{
		OrganizationID: actor.OrganizationID, ActorID: actor.ID, Key: key, RequestHash: hex.EncodeToString(h.Sum(nil)),
	}, func(ctx context.Context) (people.StoredResponse, error) {
		r, err := act(ctx)
		if err != nil {
			return people.StoredResponse{}, err
		}
		first = r
		kept := r.body
		if r.replay != nil {
			kept = r.replay
		}
		body, err := marshal(kept)
		if err != nil {
			return people.StoredResponse{}, apperr.Internal(err)
		}
		return people.StoredResponse{Status: r.status, ContentType: echo.MIMEApplicationJSON, Location: r.location, Body: body}, nil
	})
	if err != nil {
		return err
	}
	hdr := c.Response().Header()
	if replayed {
		hdr.Set("Idempotent-Replayed", "true")
	}
	if stored.Location != "" {
		hdr.Set(echo.HeaderLocation, stored.Location)
	}
	if !replayed && first.replay != nil {
		return writeJSON(c, first.status, first.body) // the one answer with the secret
	}
	hdr.Set(echo.HeaderContentType, stored.ContentType)
	c.Response().WriteHeader(stored.Status)
	_, err = c.Response().Write(stored.Body)
	return err
}
