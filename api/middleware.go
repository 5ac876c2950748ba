package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/logging"
	"github.com/invitedhq/invited/internal/people"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID gives every request an id, echoed in X-Request-ID: the
// caller's own when it is a sane token, a fresh one otherwise. The id and
// the client IP travel in the request context to the audit trail.
func requestID() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id := c.Request().Header.Get(echo.HeaderXRequestID)
			if !requestIDPattern.MatchString(id) {
				id = uuid.Must(uuid.NewV7()).String()
			}
			c.Response().Header().Set(echo.HeaderXRequestID, id)
			r := c.Request()
			c.SetRequest(r.WithContext(people.WithRequestMeta(r.Context(), people.RequestMeta{RequestID: id, ClientIP: c.RealIP()})))
			return next(c)
		}
	}
}

// recoverPanics turns a panic into a 500 problem and logs the stack.
func (s *Server) recoverPanics() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
						panic(r)
					}
					s.log.ErrorContext(c.Request().Context(), "panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
						"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = apperr.Internal("api: "+c.Request().Method+" "+c.Path(), fmt.Errorf("panic: %v", r))
				}
			}()
			return next(c)
		}
	}
}

// logRequests writes one structured line per request. It logs the path
// without the query string (which may carry search terms with emails) and
// never a header or body.
func (s *Server) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError:  true, // the error handler writes the response first, so the status logged is the one sent
		LogStatus:    true,
		LogMethod:    true,
		LogURIPath:   true,
		LogRoutePath: true,
		LogLatency:   true,
		LogRemoteIP:  true,
		LogError:     true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case v.Status >= 400:
				level = slog.LevelWarn
			}
			if !s.log.Enabled(c.Request().Context(), level) {
				return nil // nothing to build for a line nobody keeps
			}
			attrs := []slog.Attr{
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.String("route", v.RoutePath),
				slog.Int("status", v.Status), slog.String("duration", logging.Duration(v.Latency)),
				slog.String("ip", v.RemoteIP),
			}
			if a, ok := c.Get(actorKey).(people.Actor); ok {
				attrs = append(attrs, slog.String("user_id", a.ID.String()), slog.String("organization_id", a.OrganizationID.String()))
			}
			if v.Error != nil {
				attrs = append(attrs, slog.String("code", string(apperr.As(v.Error).Code)))
			}
			s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// securityHeaders sets the headers every API response carries. Responses
// hold personal data and tokens, so nothing is cached.
func securityHeaders() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if !strings.HasPrefix(c.Request().URL.Path, "/docs") && !strings.HasPrefix(c.Request().URL.Path, "/problems") {
				h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			}
			if c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https" {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			h.Set("Cache-Control", "no-store")
			return next(c)
		}
	}
}

// cors lets the configured browser origins call the API with a bearer token.
func cors(origins []string) echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins: origins,
		AllowMethods: []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowHeaders: []string{echo.HeaderAuthorization, echo.HeaderContentType, "Idempotency-Key", echo.HeaderXRequestID},
		ExposeHeaders: []string{echo.HeaderXRequestID, "Retry-After", echo.HeaderLocation, "Idempotent-Replayed",
			echo.HeaderWWWAuthenticate, headerRateLimitPolicy, headerRateLimit},
		MaxAge: 600,
	})
}

// limitPublic rate limits the unauthenticated routes per client IP, and
// tells the client its quota in every answer with the RateLimit-Policy and
// RateLimit fields (draft-ietf-httpapi-ratelimit-headers).
func (s *Server) limitPublic() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			q := s.public.take(c.RealIP(), time.Now())
			h := c.Response().Header()
			h.Set(headerRateLimitPolicy, s.public.policy)
			h.Set(headerRateLimit, q.state())
			if q.wait > 0 {
				return &apperr.Error{Code: apperr.RateLimited, RetryAfter: q.wait,
					Message: "Too many requests from this address. Retry after the number of seconds in Retry-After."}
			}
			return next(c)
		}
	}
}

const actorKey = "invited.actor"

const claimsKey = "invited.claims"

// verifyToken is authenticate without reading the user: for a route whose
// handler reads the signed-in user together with its own data, in one round
// trip, and answers as authenticate would (people.Service.ListUsersSignedIn).
func (s *Server) verifyToken() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			claims, err := s.bearerClaims(c)
			if err != nil {
				return err
			}
			c.Set(claimsKey, claims)
			return next(c)
		}
	}
}

// claimsOf returns the verified token put in the context by verifyToken.
func claimsOf(c echo.Context) auth.Claims {
	cl, ok := c.Get(claimsKey).(auth.Claims)
	if !ok {
		panic(errors.New("api: route without verifyToken middleware"))
	}
	return cl
}

// bearerClaims verifies the request's bearer token.
func (s *Server) bearerClaims(c echo.Context) (auth.Claims, error) {
	scheme, token, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return auth.Claims{}, apperr.New(apperr.Unauthorized, "Send an access token: Authorization: Bearer <token>.")
	}
	claims, err := s.tokens.Verify(strings.TrimSpace(token))
	if err != nil {
		return auth.Claims{}, apperr.New(apperr.Unauthorized, "The access token is invalid or expired.")
	}
	return claims, nil
}

// authenticate admits a request with a valid bearer token whose user is
// still active, and puts that user's current row in the context.
func (s *Server) authenticate() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			claims, err := s.bearerClaims(c)
			if err != nil {
				return err
			}
			actor, err := s.svc.Authenticate(c.Request().Context(), claims)
			if err != nil {
				return err
			}
			c.Set(actorKey, actor)
			return next(c)
		}
	}
}

// actorOf returns the signed-in user put in the context by authenticate.
func actorOf(c echo.Context) people.Actor {
	a, ok := c.Get(actorKey).(people.Actor)
	if !ok {
		panic(errors.New("api: route without authenticate middleware"))
	}
	return a
}

// pathID parses the :id path parameter. A malformed id answers exactly
// like an unknown one, so ids reveal nothing.
func pathID(c echo.Context) (uuid.UUID, error) { return pathUUID(c, "User") }

// pathUUID is pathID for any resource; what names it in the 404.
func pathUUID(c echo.Context, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, apperr.New(apperr.NotFound, "%s not found.", what)
	}
	return id, nil
}
