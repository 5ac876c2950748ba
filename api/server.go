// Package api is the HTTP layer of invited: the Echo server, its routes,
// middleware and the request and response types of the published contract.
// Handlers bind the request, call the people service and write the answer;
// the rules live in the service.
//
// Documenting a route: openapi.yaml, the Go client and docs/problems.md are
// generated from the swag annotations of this package (`make docs`), and
// the HTTP tests fail on any request or answer that departs from them. A new
// handler needs a godoc block with:
//
//   - @Summary, @Description, @ID (camelCase), one @Tags declared in doc.go,
//     @Security BearerAuth unless the route is public, @Param, @Router;
//   - @Success with its type, and one @Failure per status the route can
//     answer, whose description names the problem codes it can carry
//     ("forbidden, insufficient_rank: …"); 401 on authenticated routes, 404
//     with path parameters, 400 and 413 with JSON bodies are required, 500
//     is added to every route;
//   - @x-examples {"200": …} for a body that is not JSON.
//
// Request struct fields are required unless tagged validate:"optional";
// response fields are required unless omitempty. Give fields an example
// tag: examples are assembled from them. A test that sends a request
// breaking the contract on purpose marks it apitest.Request{Invalid: true}.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/metrics"
	"github.com/invitedhq/invited/internal/people"
)

// Deps are the server's collaborators and settings.
type Deps struct {
	Service *people.Service
	Tokens  *auth.Tokens
	// Ready reports whether the database answers and its schema is current.
	Ready func(ctx context.Context) error
	// Webhook verifies SendGrid's signed event webhook; nil disables the route.
	Webhook *mail.WebhookVerifier
	Logger  *slog.Logger
	// Metrics receives the HTTP metrics; nil uses a private registry.
	Metrics *prometheus.Registry
	// MetricsElsewhere leaves /metrics out of the API: the registry is
	// served on its own address (METRICS_ADDR).
	MetricsElsewhere bool
	// Counters count what the service does; the API counts the SendGrid
	// events it receives. Nil counts nothing.
	Counters           *metrics.Metrics
	CORSAllowedOrigins []string
	TrustedProxies     []*net.IPNet
	// PublicRateLimit is requests per minute per client IP on public routes.
	PublicRateLimit int
	// OpenAPI is the published contract served at /openapi.yaml.
	OpenAPI []byte
	// Console is the built web app (index.html, assets/) served at / and
	// /activate; nil serves the API alone.
	Console fs.FS
}

// Server is the HTTP API.
type Server struct {
	e        *echo.Echo
	svc      *people.Service
	tokens   *auth.Tokens
	ready    func(ctx context.Context) error
	webhook  *mail.WebhookVerifier
	log      *slog.Logger
	metrics  *prometheus.Registry
	counters *metrics.Metrics
	openapi  []byte
	public   *ipLimiter
}

// NewServer builds the API with its routes and middleware.
func NewServer(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	if d.PublicRateLimit <= 0 {
		d.PublicRateLimit = 60
	}
	s := &Server{
		e: echo.New(), svc: d.Service, tokens: d.Tokens, ready: d.Ready, webhook: d.Webhook,
		log: d.Logger, metrics: d.Metrics, counters: d.Counters, openapi: d.OpenAPI, public: newIPLimiter(d.PublicRateLimit),
	}
	s.e.HideBanner, s.e.HidePort = true, true
	s.e.HTTPErrorHandler = s.handleError
	s.e.IPExtractor = ipExtractor(d.TrustedProxies)
	s.routes(d)
	if d.Console != nil {
		if err := s.consoleRoutes(d.Console); err != nil {
			panic("api: the console build has no index.html: " + err.Error())
		}
	}
	return s
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// Routes lists the registered method and path pairs, for contract tests.
func (s *Server) Routes() []*echo.Route { return s.e.Routes() }

func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		// Without a trusted proxy, X-Forwarded-For is whatever the client
		// wants it to be: only the connection's address counts.
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
