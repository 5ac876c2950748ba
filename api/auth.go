package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// SignInRequest exchanges credentials for an access token.
type SignInRequest struct {
	// Organization is the organization's slug.
	Organization string `json:"organization" maxLength:"63" example:"acme" validate:"required"`
	Email        string `json:"email" format:"email" maxLength:"254" example:"grace.hopper@example.com" validate:"required"`
	Password     string `json:"password" maxLength:"128" example:"correct-horse-battery-staple" validate:"required"`
	// RefreshTokenCookie asks for the refresh token in an HttpOnly cookie
	// scoped to /auth instead of in the body: for a browser app served by
	// this service, such as the console. It needs HTTPS (plain HTTP only on
	// localhost).
	RefreshTokenCookie bool `json:"refresh_token_cookie" default:"false" example:"false" validate:"optional"`
}

// TokenResponse is a bearer access token and the refresh token that renews it.
type TokenResponse struct {
	AccessToken string `json:"access_token" example:"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkzYjRhMiJ9.c2lnbmF0dXJl"`
	TokenType   string `json:"token_type" enums:"Bearer" example:"Bearer"`
	// ExpiresIn is the token's lifetime in seconds.
	ExpiresIn int `json:"expires_in" example:"900"`
	// PasswordChangeRequired is true after an administrator set a temporary
	// password: the client should send the user to PUT /me/password.
	PasswordChangeRequired bool `json:"password_change_required" example:"false"`
	// RefreshToken buys the next access token from POST /auth/refresh, once;
	// absent when it was set as a cookie.
	RefreshToken string `json:"refresh_token,omitempty" example:"AZHJx0q4Tn6kVb2Lw8Yp3Rd5Mf7Gh9Jk1Ls3Nq5Pt7Vx9Zb2Cd4Ef6Gh8Jk0Lm2Np4"`
	// RefreshTokenExpiresAt is the session's absolute end: refreshing never
	// extends it.
	RefreshTokenExpiresAt time.Time `json:"refresh_token_expires_at" format:"date-time" example:"2026-12-31T09:30:00Z"`
}

// signIn godoc
//
//	@Summary		Sign in
//	@Description	Exchanges an organization, email and password for a session: an access token (ACCESS_TOKEN_TTL, 15 minutes by default) and a refresh token that renews it through POST /auth/refresh until the session's absolute end (REFRESH_TOKEN_TTL, 30 days by default). An unknown email, a wrong password and an account without a password all get the same 401, in comparable time. Repeated failures for one account back off (429).
//	@ID				signIn
//	@Tags			Authentication
//	@Accept			json
//	@Produce		json
//	@Param			body	body		SignInRequest	true	"Credentials"
//	@Success		200		{object}	TokenResponse	"A session"
//	@Header			200		{string}	Set-Cookie		"With refresh_token_cookie: the refresh token, invited_refresh=…; Path=/auth; HttpOnly; Secure; SameSite=Strict"
//	@Failure		400		{object}	Problem			"invalid_request (refresh_token_cookie over plain HTTP to a host other than localhost)"
//	@Failure		401		{object}	Problem			"invalid_credentials"
//	@Failure		409		{object}	Problem			"user_deactivated"
//	@Failure		413		{object}	Problem			"payload_too_large"
//	@Failure		415		{object}	Problem			"unsupported_media_type"
//	@Failure		429		{object}	Problem			"rate_limited: too many requests from this address, or failures for this account"
//	@Failure		501		{object}	Problem			"not_implemented: this deployment mints no tokens"
//	@x-rate-limited	true
//	@Router			/auth/token [post]
func (s *Server) signIn(c echo.Context) error {
	var req SignInRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := requireFields("organization", req.Organization, "email", req.Email, "password", req.Password); err != nil {
		return err
	}
	if req.RefreshTokenCookie {
		if err := cookieAllowed(c, "refresh_token_cookie"); err != nil {
			return err
		}
	}
	sess, err := s.svc.SignIn(c.Request().Context(), req.Organization, req.Email, req.Password)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, sessionResponse(c, sess, req.RefreshTokenCookie))
}
