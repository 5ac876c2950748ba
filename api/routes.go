package api

import (
	"github.com/labstack/echo/v4"
)

// Request body limits, in bytes.
const (
	bodyLimit        = 1 << 20
	importBodyLimit  = 10 << 20
	webhookBodyLimit = 5 << 20
)

// routes is the map of the API: every route, grouped by who may call it.
func (s *Server) routes(d Deps) {
	e := s.e
	e.Pre(requestID())
	e.Use(s.recoverPanics(), s.logRequests(), securityHeaders(), s.observe(), checkQuery())
	if len(d.CORSAllowedOrigins) > 0 {
		e.Use(cors(d.CORSAllowedOrigins))
	}

	// Operations and documentation.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if !d.MetricsElsewhere {
		e.GET("/metrics", s.metricsHandler())
	}
	e.GET("/openapi.yaml", s.openAPI)
	e.GET("/docs", s.docsRedirect)
	e.GET("/docs/*", s.docsUI())
	e.GET("/problems", s.problemIndex)
	e.GET("/problems/:code", s.problemPage)

	// Middleware is attached per route, not per group: an Echo group with
	// middleware claims every unknown path under it, which would answer a
	// mistyped URL with 401 instead of 404.
	// The rate limit comes first, so that every request counts, oversized ones too.
	public := []echo.MiddlewareFunc{s.limitPublic(), limitBody(bodyLimit)}
	signedIn := []echo.MiddlewareFunc{limitBody(bodyLimit), s.authenticate()}

	// Public: activation links and sign-in, rate limited per client IP.
	e.POST("/auth/token", s.signIn, public...)
	e.POST("/auth/refresh", s.refreshSession, public...)
	e.POST("/auth/logout", s.signOut, public...)
	e.POST("/invites/verify", s.verifyInvite, public...)
	e.POST("/invites/accept", s.acceptInvite, public...)
	e.POST("/invites/renew", s.renewInvite, public...)

	// The email provider, authenticated by its signature.
	e.POST("/webhooks/sendgrid", s.sendgridWebhook, limitBody(webhookBodyLimit))

	// Any signed-in user.
	e.GET("/me", s.me, signedIn...)
	e.PUT("/me/password", s.changeOwnPassword, signedIn...)

	// People managers: rule R5 is checked by the service against the actor's current row.
	// The listing reads the signed-in user with its page (verifyToken).
	e.GET("/users", s.listUsers, limitBody(bodyLimit), s.verifyToken())
	e.GET("/users/counts", s.countUsers, signedIn...)
	e.POST("/users", s.createUser, signedIn...)
	e.POST("/users/resend-invites", s.resendInvites, signedIn...)
	e.POST("/users/import", s.importUsers, limitBody(importBodyLimit), s.authenticate())
	e.GET("/users/:id", s.getUser, signedIn...)
	e.PATCH("/users/:id", s.updateUser, signedIn...)
	e.POST("/users/:id/resend-invite", s.resendInvite, signedIn...)
	e.POST("/users/:id/revoke-invite", s.revokeInvite, signedIn...)
	e.POST("/users/:id/invite-link", s.issueInviteLink, signedIn...)
	e.PUT("/users/:id/password", s.setPassword, signedIn...)
	e.POST("/users/:id/deactivate", s.deactivateUser, signedIn...)
	e.POST("/users/:id/reactivate", s.reactivateUser, signedIn...)
	e.GET("/users/:id/invites", s.inviteHistory, signedIn...)
	e.GET("/audit-events", s.listAuditEvents, signedIn...)

	// The organization's settings: managers read them, owners and admins change them.
	e.GET("/organization", s.getOrganization, signedIn...)
	e.PATCH("/organization", s.updateOrganization, signedIn...)
	// Its reminder policy: owners and admins only, checked by the service.
	e.GET("/organization/reminders", s.getReminderPolicy, signedIn...)
	e.PUT("/organization/reminders", s.putReminderPolicy, signedIn...)

	// Delivery and insight.
	e.GET("/delivery/domains", s.listDeliveryDomains, signedIn...)
	e.GET("/insights/invitations", s.invitationFunnel, signedIn...)

	// Bulk jobs: bulk resends and imports, worked through in the background.
	e.GET("/jobs", s.listJobs, signedIn...)
	e.GET("/jobs/:id", s.getJob, signedIn...)
	e.POST("/jobs/:id/cancel", s.cancelJob, signedIn...)

	// Outbound webhooks: owners and admins, checked by the service.
	e.GET("/webhook-endpoints", s.listWebhookEndpoints, signedIn...)
	e.POST("/webhook-endpoints", s.createWebhookEndpoint, signedIn...)
	e.GET("/webhook-endpoints/:id", s.getWebhookEndpoint, signedIn...)
	e.PATCH("/webhook-endpoints/:id", s.updateWebhookEndpoint, signedIn...)
	e.DELETE("/webhook-endpoints/:id", s.deleteWebhookEndpoint, signedIn...)
	e.POST("/webhook-endpoints/:id/rotate-secret", s.rotateWebhookSecret, signedIn...)
	e.POST("/webhook-endpoints/:id/test", s.testWebhookEndpoint, signedIn...)
	e.GET("/webhook-endpoints/:id/deliveries", s.listWebhookDeliveries, signedIn...)
	e.GET("/webhook-deliveries/:id", s.getWebhookDelivery, signedIn...)
	e.POST("/webhook-deliveries/:id/replay", s.replayWebhookDelivery, signedIn...)
}
