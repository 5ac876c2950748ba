package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// response is what a handler answers: kept for replay under an Idempotency-Key.
type response struct {
	status   int
	body     any
	location string
	// replay, when set, is the body kept for a replay instead of body: an
	// answer that holds a secret, shown once, keeps a copy without it.
	replay any
}

// idempotent answers with act's response through the service's
// idempotency rule (people.Service.Idempotent): this layer only passes the
// Idempotency-Key and the request's fingerprint (method, path and body),
// and marks a replayed answer Idempotent-Replayed.
func (s *Server) idempotent(c echo.Context, actor people.Actor, rawBody []byte, act func(ctx context.Context) (response, error)) error {
	req := c.Request()
	h := sha256.New()
	h.Write([]byte(req.Method + " " + req.URL.Path + "\n"))
	h.Write(rawBody)
	var first response
	stored, replayed, err := s.svc.Idempotent(req.Context(), actor,
		people.IdempotentRequest{Key: req.Header.Get("Idempotency-Key"), Fingerprint: hex.EncodeToString(h.Sum(nil))},
		func(ctx context.Context) (people.StoredResponse, error) {
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
				return people.StoredResponse{}, apperr.Internal("api.idempotent: encode response", err)
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
