package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
)

// Health is the body of the health and readiness checks.
type Health struct {
	Status string `json:"status" enums:"ok,ready" example:"ok"`
}

// healthz godoc
//
//	@Summary		Liveness
//	@Description	The process is up. It does not touch the database.
//	@ID				getHealth
//	@Tags			Operations
//	@Produce		json
//	@Success		200	{object}	Health	"Up"
//	@Router			/healthz [get]
func (s *Server) healthz(c echo.Context) error {
	return writeJSON(c, http.StatusOK, Health{Status: "ok"})
}

// readyz godoc
//
//	@Summary		Readiness
//	@Description	The database answers and its schema is current: the replica can take traffic.
//	@ID				getReadiness
//	@Tags			Operations
//	@Produce		json
//	@Success		200	{object}	Health	"Ready"
//	@Failure		503	{object}	Problem	"unavailable"
//	@Router			/readyz [get]
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "error", err)
		return &apperr.Error{Code: apperr.Unavailable, Message: "Not ready: the database is unreachable or its schema is not current.", Err: err}
	}
	return writeJSON(c, http.StatusOK, Health{Status: "ready"})
}
