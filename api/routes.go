package api

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Request body limits.
const (
	bodyLimit        = "1M"
	webhookBodyLimit = "5M"
)

// routes is the map of the API: every route, grouped by who may call it.
func (s *Server) routes(d Deps) {
	e := s.e
	e.Pre(requestID())
	e.Use(s.recoverPanics(), s.logRequests(), securityHeaders(), s.observe())
	if len(d.CORSAllowedOrigins) > 0 {
		e.Use(cors(d.CORSAllowedOrigins))
	}

	// Operations and documentation.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler())
	e.GET("/openapi.yaml", s.openAPI)
	e.GET("/docs", s.docsRedirect)
	e.GET("/docs/*", s.docsUI())
	e.GET("/problems", s.problemIndex)
	e.GET("/problems/:code", s.problemPage)

	// Public: activation links and sign-in, rate limited per client IP.
	public := e.Group("", middleware.BodyLimit(bodyLimit), s.limitPublic())
	public.POST("/auth/token", s.signIn)
	public.POST("/invites/verify", s.verifyInvite)
	public.POST("/invites/accept", s.acceptInvite)
	public.POST("/invites/renew", s.renewInvite)

	// The email provider, authenticated by its signature.
	e.POST("/webhooks/sendgrid", s.sendgridWebhook, middleware.BodyLimit(webhookBodyLimit))

	// Any signed-in user.
	signedIn := e.Group("", middleware.BodyLimit(bodyLimit), s.authenticate())
	signedIn.GET("/me", s.me)
	signedIn.PUT("/me/password", s.changeOwnPassword)

	// People managers (rule R5 is checked by the service against the actor's current row).
	people := e.Group("", middleware.BodyLimit(bodyLimit), s.authenticate())
	people.GET("/users", s.listUsers)
	people.GET("/users/counts", s.countUsers)
	people.POST("/users", s.createUser)
	people.GET("/users/:id", s.getUser)
	people.PATCH("/users/:id", s.updateUser)
	people.POST("/users/:id/resend-invite", s.resendInvite)
	people.PUT("/users/:id/password", s.setPassword)
	people.POST("/users/:id/deactivate", s.deactivateUser)
	people.POST("/users/:id/reactivate", s.reactivateUser)
	people.GET("/users/:id/invites", s.inviteHistory)
	people.GET("/audit-events", s.listAuditEvents)
}

var _ echo.HandlerFunc = (*Server)(nil).healthz
