package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// me godoc
//
//	@Summary	The signed-in user
//	@ID			getMe
//	@Tags		Account
//	@Security	BearerAuth
//	@Produce	json
//	@Success	200	{object}	User	"You"
//	@Failure	401	{object}	Problem	"unauthorized"
//	@Router		/me [get]
func (s *Server) me(c echo.Context) error {
	u, err := s.svc.Me(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, userView(u, s.svc.Now()))
}

// ChangePasswordRequest replaces the signed-in user's password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password" maxLength:"128" example:"vK7#qm2Rx9-Lp4tW8zNe" validate:"required"`
	NewPassword     string `json:"new_password" minLength:"12" maxLength:"128" example:"correct-horse-battery-staple" validate:"required"`
}

// changeOwnPassword godoc
//
//	@Summary		Change my password
//	@Description	Replaces the signed-in user's password and clears must_change_password. A wrong current password answers 400 on current_password; repeated wrong answers back off (429).
//	@ID				changeMyPassword
//	@Tags			Account
//	@Security		BearerAuth
//	@Accept			json
//	@Param			body	body	ChangePasswordRequest	true	"Current and new password"
//	@Success		204		"Changed"
//	@Failure		400		{object}	Problem	"invalid_request (current_password incorrect, new_password unchanged), weak_password"
//	@Failure		401		{object}	Problem	"unauthorized"
//	@Failure		413		{object}	Problem	"payload_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type"
//	@Failure		429		{object}	Problem	"rate_limited: too many wrong current passwords"
//	@Router			/me/password [put]
func (s *Server) changeOwnPassword(c echo.Context) error {
	var req ChangePasswordRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := requireFields("current_password", req.CurrentPassword, "new_password", req.NewPassword); err != nil {
		return err
	}
	if err := s.svc.ChangeOwnPassword(c.Request().Context(), actorOf(c), req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
