package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/people"
)

// TokenRequest carries an activation token from an invitation link.
type TokenRequest struct {
	// Token is the token query parameter of the link APP_BASE_URL/activate?token=….
	Token string `json:"token" maxLength:"88" example:"AQGTtKMPHnorjD1OX2p7jJ0BMGstnJ2f3a6QvD6XcN4iS9l0k5Yq2e8uWmA1cZtB" validate:"required"`
}

// InviteDetails is what the activation page shows before the user sets a password.
type InviteDetails struct {
	Email        string           `json:"email" format:"email" example:"grace.hopper@example.com"`
	FirstName    string           `json:"first_name" example:"Grace"`
	LastName     string           `json:"last_name" example:"Hopper"`
	Organization OrganizationInfo `json:"organization"`
	ExpiresAt    time.Time        `json:"expires_at" format:"date-time" example:"2026-12-01T16:05:12Z"`
	// Locale is the invitee's language (BCP 47): the page speaks it where it
	// has the texts, else the organization's default_locale, else English.
	Locale string `json:"locale" example:"de"`
}

// OrganizationInfo names an organization.
type OrganizationInfo struct {
	Name string `json:"name" example:"Acme Learning"`
	Slug string `json:"slug" example:"acme"`
	// DefaultLocale is the organization's default language.
	DefaultLocale string `json:"default_locale" example:"en"`
}

func tokenFrom(c echo.Context) (string, error) {
	var req TokenRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return "", err
	}
	return req.Token, requireFields("token", req.Token)
}

// verifyInvite godoc
//
//	@Summary		Check an invitation link
//	@Description	Tells the activation page whose invitation a token is. It consumes nothing and may be called any number of times: mail scanners and link previews that open the link do no harm.
//	@ID				verifyInvite
//	@Tags			Activation
//	@Accept			json
//	@Produce		json
//	@Param			body	body		TokenRequest	true	"The link's token"
//	@Success		200		{object}	InviteDetails	"Whose invitation it is"
//	@Failure		400		{object}	Problem			"invalid_request"
//	@Failure		404		{object}	Problem			"invite_not_found: unknown, malformed or forged token"
//	@Failure		410		{object}	Problem			"invite_expired (renewable says whether POST /invites/renew will help), invite_revoked (reason), invite_accepted"
//	@Failure		413		{object}	Problem			"payload_too_large"
//	@Failure		415		{object}	Problem			"unsupported_media_type"
//	@Failure		429		{object}	Problem			"rate_limited"
//	@x-rate-limited	true
//	@Router			/invites/verify [post]
func (s *Server) verifyInvite(c echo.Context) error {
	token, err := tokenFrom(c)
	if err != nil {
		return err
	}
	info, err := s.svc.VerifyInvite(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, InviteDetails{Email: info.Email, FirstName: info.FirstName, LastName: info.LastName,
		Organization: OrganizationInfo{Name: info.OrganizationName, Slug: info.OrganizationSlug, DefaultLocale: info.DefaultLocale},
		ExpiresAt:    info.ExpiresAt.UTC(), Locale: info.Locale})
}

// AcceptInviteRequest activates an account from an invitation link.
type AcceptInviteRequest struct {
	Token string `json:"token" maxLength:"88" example:"AQGTtKMPHnorjD1OX2p7jJ0BMGstnJ2f3a6QvD6XcN4iS9l0k5Yq2e8uWmA1cZtB" validate:"required"`
	// Password is the user's own; it must pass the password policy.
	Password string `json:"password" minLength:"12" maxLength:"128" example:"correct-horse-battery-staple" validate:"required"`
	// FirstName and LastName optionally correct the names the administrator entered.
	FirstName *string `json:"first_name" maxLength:"100" example:"Grace" validate:"optional"`
	LastName  *string `json:"last_name" maxLength:"100" example:"Hopper" validate:"optional"`
	// RefreshTokenCookie asks for the refresh token in an HttpOnly cookie
	// instead of in the body, as for POST /auth/token.
	RefreshTokenCookie bool `json:"refresh_token_cookie" default:"false" example:"false" validate:"optional"`
}

// AcceptInviteResult is the activated user, signed in. A deployment that
// only verifies the tokens of another identity provider (JWT_PUBLIC_KEY_FILE)
// mints none: the session members are then absent, the account is
// confirmed all the same, and the user signs in with that provider.
type AcceptInviteResult struct {
	User        User   `json:"user"`
	AccessToken string `json:"access_token,omitempty" example:"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkzYjRhMiJ9.c2lnbmF0dXJl"`
	TokenType   string `json:"token_type,omitempty" enums:"Bearer" example:"Bearer"`
	// ExpiresIn is the token's lifetime in seconds.
	ExpiresIn int `json:"expires_in,omitempty" example:"900"`
	// RefreshToken renews the access token through POST /auth/refresh;
	// absent when it was set as a cookie.
	RefreshToken string `json:"refresh_token,omitempty" example:"AZHJx0q4Tn6kVb2Lw8Yp3Rd5Mf7Gh9Jk1Ls3Nq5Pt7Vx9Zb2Cd4Ef6Gh8Jk0Lm2Np4"`
	// RefreshTokenExpiresAt is the session's absolute end.
	RefreshTokenExpiresAt *time.Time `json:"refresh_token_expires_at,omitempty" format:"date-time" example:"2026-12-31T09:30:00Z"`
}

// acceptInvite godoc
//
//	@Summary		Accept an invitation
//	@Description	Consumes the link once: the user sets their password, becomes confirmed, every other link of theirs stops working, and the answer signs them in with a session, as POST /auth/token does. A deployment that only verifies the tokens of another identity provider confirms the account the same way but answers with the user alone, without the session's members: the user signs in with that provider.
//	@ID				acceptInvite
//	@Tags			Activation
//	@Accept			json
//	@Produce		json
//	@Param			body	body		AcceptInviteRequest	true	"Token and the new password"
//	@Success		200		{object}	AcceptInviteResult	"The user, confirmed and signed in"
//	@Failure		400		{object}	Problem				"invalid_request, weak_password (errors lists every failed rule)"
//	@Failure		404		{object}	Problem				"invite_not_found"
//	@Failure		410		{object}	Problem				"invite_expired, invite_revoked (reason; user_status when the account stopped being invite-pending), invite_accepted"
//	@Failure		413		{object}	Problem				"payload_too_large"
//	@Failure		415		{object}	Problem				"unsupported_media_type"
//	@Failure		429		{object}	Problem				"rate_limited"
//	@x-rate-limited	true
//	@Router			/invites/accept [post]
func (s *Server) acceptInvite(c echo.Context) error {
	var req AcceptInviteRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := requireFields("token", req.Token, "password", req.Password); err != nil {
		return err
	}
	if req.RefreshTokenCookie {
		if err := cookieAllowed(c, "refresh_token_cookie"); err != nil {
			return err
		}
	}
	u, sess, err := s.svc.AcceptInvite(c.Request().Context(), people.Acceptance{
		Token: req.Token, Password: req.Password, FirstName: req.FirstName, LastName: req.LastName})
	if err != nil {
		return err
	}
	res := AcceptInviteResult{User: userView(u, s.svc.Now())}
	if sess.Token != "" {
		tok := sessionResponse(c, sess, req.RefreshTokenCookie)
		res.AccessToken, res.TokenType, res.ExpiresIn = tok.AccessToken, tok.TokenType, tok.ExpiresIn
		res.RefreshToken, res.RefreshTokenExpiresAt = tok.RefreshToken, &tok.RefreshTokenExpiresAt
	}
	return writeJSON(c, http.StatusOK, res)
}

// Accepted is the empty body of an accepted request.
type Accepted struct{}

// renewInvite godoc
//
//	@Summary		Renew an expired invitation
//	@Description	For the expired link of a user who is still invited: a fresh invitation goes to the address on file (never to an address in the request). Each expired link renews once.
//	@ID				renewInvite
//	@Tags			Activation
//	@Accept			json
//	@Produce		json
//	@Param			body	body		TokenRequest	true	"The expired link's token"
//	@Success		202		{object}	Accepted		"A fresh invitation is on its way"
//	@Failure		400		{object}	Problem			"invalid_request"
//	@Failure		404		{object}	Problem			"invite_not_found"
//	@Failure		409		{object}	Problem			"invite_still_valid (expires_at says until when)"
//	@Failure		410		{object}	Problem			"invite_revoked, invite_accepted, invite_expired (when the user is no longer invited)"
//	@Failure		413		{object}	Problem			"payload_too_large"
//	@Failure		415		{object}	Problem			"unsupported_media_type"
//	@Failure		429		{object}	Problem			"rate_limited"
//	@x-rate-limited	true
//	@Router			/invites/renew [post]
func (s *Server) renewInvite(c echo.Context) error {
	token, err := tokenFrom(c)
	if err != nil {
		return err
	}
	if err := s.svc.RenewInvite(c.Request().Context(), token); err != nil {
		return err
	}
	return writeJSON(c, http.StatusAccepted, Accepted{})
}
