package api

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// RefreshCookie is the cookie that carries a browser app's refresh token.
// It is scoped to /auth, so no other request carries it, and HttpOnly, so
// no script can read it.
const RefreshCookie = "invited_refresh"

const refreshCookiePath = "/auth"

// RefreshRequest carries a refresh token, unless the cookie does.
type RefreshRequest struct {
	// RefreshToken is the refresh token of the last answer; omit it to use
	// the invited_refresh cookie.
	RefreshToken string `json:"refresh_token" maxLength:"66" example:"AZHJx0q4Tn6kVb2Lw8Yp3Rd5Mf7Gh9Jk1Ls3Nq5Pt7Vx9Zb2Cd4Ef6Gh8Jk0Lm2Np4" validate:"optional"`
}

// presentedRefreshToken reads the refresh token from the body, or from the
// cookie when the body has none; fromCookie says which.
func presentedRefreshToken(c echo.Context) (token string, fromCookie bool, err error) {
	var req RefreshRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return "", false, err
	}
	if req.RefreshToken != "" {
		return req.RefreshToken, false, nil
	}
	if ck, err := c.Cookie(RefreshCookie); err == nil && ck.Value != "" {
		return ck.Value, true, nil
	}
	return "", false, nil
}

// refreshSession godoc
//
//	@Summary		Refresh a session
//	@Description	Exchanges a refresh token for a new access token and a new refresh token; the presented one is used up. Presenting a used refresh token again ends the whole session (every token of it is revoked and the event is audited as auth.refresh_reuse_detected): a copy of it is in someone else's hands. Sessions also end when the user signs out, changes their password, has it set by an administrator, or is deactivated, and REFRESH_TOKEN_TTL after the sign-in at the latest. The token comes in the body or, for browser apps that signed in with refresh_token_cookie, in the invited_refresh cookie; the answer returns the new one the same way.
//	@ID				refreshSession
//	@Tags			Authentication
//	@Accept			json
//	@Produce		json
//	@Param			body	body		RefreshRequest	true	"The refresh token, or {} to use the cookie"
//	@Success		200		{object}	TokenResponse	"The renewed session"
//	@Header			200		{string}	Set-Cookie		"When the token came in the cookie: its successor"
//	@Failure		400		{object}	Problem			"invalid_request"
//	@Failure		401		{object}	Problem			"invalid_refresh_token, refresh_token_reused"
//	@Failure		413		{object}	Problem			"payload_too_large"
//	@Failure		415		{object}	Problem			"unsupported_media_type"
//	@Failure		429		{object}	Problem			"rate_limited"
//	@Failure		501		{object}	Problem			"not_implemented: this deployment mints no tokens"
//	@x-rate-limited	true
//	@Router			/auth/refresh [post]
func (s *Server) refreshSession(c echo.Context) error {
	token, fromCookie, err := presentedRefreshToken(c)
	if err != nil {
		return err
	}
	if token == "" {
		return apperr.New(apperr.InvalidRefreshToken, "Send the refresh token in the body, or sign in with refresh_token_cookie to use the cookie.")
	}
	sess, err := s.svc.Refresh(c.Request().Context(), token)
	if err != nil {
		if fromCookie {
			clearRefreshCookie(c)
		}
		return err
	}
	return writeJSON(c, http.StatusOK, sessionResponse(c, sess, fromCookie))
}

// signOut godoc
//
//	@Summary		Sign out
//	@Description	Ends the session of a refresh token: it and every other token of the session stop working, and the invited_refresh cookie is cleared. Access tokens already issued stay valid until they expire (ACCESS_TOKEN_TTL); forget them. Signing out an unknown or already ended session succeeds too.
//	@ID				signOut
//	@Tags			Authentication
//	@Accept			json
//	@Param			body	body	RefreshRequest	true	"The refresh token, or {} to use the cookie"
//	@Success		204		"Signed out"
//	@Failure		400		{object}	Problem	"invalid_request"
//	@Failure		413		{object}	Problem	"payload_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type"
//	@Failure		429		{object}	Problem	"rate_limited"
//	@x-rate-limited	true
//	@Router			/auth/logout [post]
func (s *Server) signOut(c echo.Context) error {
	token, _, err := presentedRefreshToken(c)
	if err != nil {
		return err
	}
	if err := s.svc.SignOut(c.Request().Context(), token); err != nil {
		return err
	}
	clearRefreshCookie(c)
	return c.NoContent(http.StatusNoContent)
}

// sessionResponse answers a session, with its refresh token in the body
// or in the cookie.
func sessionResponse(c echo.Context, sess people.Session, cookie bool) TokenResponse {
	res := TokenResponse{AccessToken: sess.Token, TokenType: "Bearer", ExpiresIn: int(sess.ExpiresIn / time.Second),
		PasswordChangeRequired: sess.PasswordChangeRequired, RefreshTokenExpiresAt: sess.RefreshExpiresAt.UTC()}
	if cookie {
		setRefreshCookie(c, sess.RefreshToken, sess.RefreshExpiresAt)
	} else {
		res.RefreshToken = sess.RefreshToken
	}
	return res
}

// cookieAllowed refuses a refresh cookie that would travel in clear text:
// only over HTTPS, or plain HTTP to this machine.
func cookieAllowed(c echo.Context, field string) error {
	if secureRequest(c.Request()) || loopbackHost(c.Request().Host) {
		return nil
	}
	return apperr.Invalid(apperr.Field(field, "https_required",
		"%s needs HTTPS (a TLS-terminating proxy must send X-Forwarded-Proto: https); plain HTTP is allowed only on localhost", field))
}

func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// setRefreshCookie sets the refresh cookie. It is Secure except on plain
// HTTP to localhost, where browsers would not send it back otherwise.
func setRefreshCookie(c echo.Context, token string, expires time.Time) {
	//nolint:gosec // Secure is computed: off only for plain HTTP to localhost
	c.SetCookie(&http.Cookie{Name: RefreshCookie, Value: token, Path: refreshCookiePath, Expires: expires.UTC(),
		MaxAge: max(1, int(time.Until(expires)/time.Second)), HttpOnly: true, Secure: cookieSecure(c.Request()),
		SameSite: http.SameSiteStrictMode})
}

func clearRefreshCookie(c echo.Context) {
	//nolint:gosec // as in setRefreshCookie
	c.SetCookie(&http.Cookie{Name: RefreshCookie, Value: "", Path: refreshCookiePath, MaxAge: -1, HttpOnly: true,
		Secure: cookieSecure(c.Request()), SameSite: http.SameSiteStrictMode})
}

func cookieSecure(r *http.Request) bool { return secureRequest(r) || !loopbackHost(r.Host) }
