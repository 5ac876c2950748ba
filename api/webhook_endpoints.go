package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/people"
)

// WebhookEndpoint is where the organization receives its events.
type WebhookEndpoint struct {
	ID  uuid.UUID `json:"id" format:"uuid" example:"01a2156a-4c3d-7e5f-8a6b-7c8d9e0f1a2b"`
	URL string    `json:"url" format:"uri" example:"https://lms.example.com/hooks/invited"`
	// Description is a note for the organization's administrators.
	Description string `json:"description" example:"Enrol new learners in their first course"`
	// Events are the subscribed types, or ["*"] for every type.
	Events []string `json:"events" enums:"*,user.created,user.updated,user.confirmed,user.deactivated,user.reactivated,user.password_set,invite.sent,invite.resent,invite.revoked,invite.accepted,invite.expired,invite.reminded,invite.delivery_updated,job.finished"`
	// Enabled is false while nothing is sent to the endpoint; disabled_reason says why.
	Enabled bool `json:"enabled" example:"true"`
	// DisabledReason is manual (an administrator), gone (the endpoint answered 410) or failing (every attempt failed for 3 days).
	DisabledReason *string `json:"disabled_reason" enums:"manual,gone,failing" extensions:"x-nullable" example:"failing"`
	// DisabledDetail explains the reason in a sentence.
	DisabledDetail *string    `json:"disabled_detail" extensions:"x-nullable" example:"Every delivery since 2026-11-21T16:05:12Z failed (the last: HTTP 503). Fix the receiver, then enable the endpoint again; pending deliveries resume."`
	DisabledAt     *time.Time `json:"disabled_at" format:"date-time" extensions:"x-nullable"`
	// FailingSince is the first failed attempt since the last success; null while deliveries succeed.
	FailingSince *time.Time `json:"failing_since" format:"date-time" extensions:"x-nullable"`
	// PreviousSecretExpiresAt is when the secret replaced by the last rotation stops signing; null outside a rotation.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at" format:"date-time" extensions:"x-nullable"`
	CreatedAt               time.Time  `json:"created_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
	UpdatedAt               time.Time  `json:"updated_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
}

// WebhookEndpointSecret is an endpoint with its signing secret, answered
// once: when the endpoint is created and when its secret is rotated.
type WebhookEndpointSecret struct {
	Endpoint WebhookEndpoint `json:"endpoint"`
	// Secret signs every webhook (Standard Webhooks, HMAC-SHA256). It is shown this once; keep it in the receiver's configuration.
	Secret string `json:"secret" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
}

// WebhookEndpointList is the organization's endpoints, oldest first; one page.
type WebhookEndpointList struct {
	Data       []WebhookEndpoint `json:"data"`
	NextCursor *string           `json:"next_cursor" extensions:"x-nullable"`
	HasMore    bool              `json:"has_more" example:"false"`
}

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID         uuid.UUID `json:"id" format:"uuid" example:"01a2156b-5d4e-7f60-8b7c-8d9e0f1a2b3c"`
	EndpointID uuid.UUID `json:"endpoint_id" format:"uuid" example:"01a2156a-4c3d-7e5f-8a6b-7c8d9e0f1a2b"`
	// EventID is the event's id: the webhook-id header and the body's id, the same on every attempt and replay.
	EventID   uuid.UUID `json:"event_id" format:"uuid" example:"01a2156b-1a2b-7c3d-8e4f-5a6b7c8d9e0f"`
	EventType string    `json:"event_type" enums:"ping,user.created,user.updated,user.confirmed,user.deactivated,user.reactivated,user.password_set,invite.sent,invite.resent,invite.revoked,invite.accepted,invite.expired,invite.reminded,invite.delivery_updated,job.finished" example:"invite.accepted"`
	// Status is pending until an attempt succeeds (2xx), or the delivery fails for good: an answer that is not retried, or retries given up after 3 days.
	Status string `json:"status" enums:"pending,succeeded,failed" example:"succeeded"`
	// AttemptCount is how many attempts were made.
	AttemptCount int `json:"attempt_count" example:"4"`
	// NextAttemptAt is when the next attempt is due; null once the delivery is over.
	NextAttemptAt *time.Time `json:"next_attempt_at" format:"date-time" extensions:"x-nullable"`
	LastAttemptAt *time.Time `json:"last_attempt_at" format:"date-time" extensions:"x-nullable"`
	// LastResponseCode is the last answer's HTTP status; null when there was no answer.
	LastResponseCode *int `json:"last_response_code" extensions:"x-nullable" example:"200"`
	// LastError says why the last attempt got no usable answer.
	LastError string `json:"last_error,omitempty" example:"HTTP 503"`
	// LastLatencyMS is how long the last attempt took, in milliseconds.
	LastLatencyMS *int64 `json:"last_latency_ms" extensions:"x-nullable" example:"84"`
	// ReplayOf is the delivery this one replays.
	ReplayOf   *uuid.UUID `json:"replay_of" format:"uuid" extensions:"x-nullable"`
	CreatedAt  time.Time  `json:"created_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
	FinishedAt *time.Time `json:"finished_at" format:"date-time" extensions:"x-nullable"`
	// Attempts lists every attempt, oldest first; only GET /webhook-deliveries/{id} includes it.
	Attempts []WebhookAttempt `json:"attempts,omitempty"`
}

// WebhookAttempt is one try at a delivery.
type WebhookAttempt struct {
	Number    int       `json:"number" example:"1"`
	StartedAt time.Time `json:"started_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
	// StatusCode is the answer's HTTP status; null when there was none.
	StatusCode *int `json:"status_code" extensions:"x-nullable" example:"503"`
	// Error says why there was no answer (timeout, connection refused, address not allowed).
	Error     string `json:"error,omitempty" example:"no answer within 10s"`
	LatencyMS int64  `json:"latency_ms" example:"84"`
	// ResponseBody is the start of the answer (at most 1 KiB kept).
	ResponseBody string `json:"response_body,omitempty" example:"upstream unavailable"`
}

// WebhookDeliveryList is a page of an endpoint's deliveries, newest first.
type WebhookDeliveryList struct {
	Data       []WebhookDelivery `json:"data"`
	NextCursor *string           `json:"next_cursor" extensions:"x-nullable"`
	HasMore    bool              `json:"has_more" example:"false"`
}

// WebhookDeliveryAccepted answers a test or a replay: the delivery on its way.
type WebhookDeliveryAccepted struct {
	Delivery WebhookDelivery `json:"delivery"`
}

func endpointView(e people.WebhookEndpoint) WebhookEndpoint {
	v := WebhookEndpoint{ID: e.ID, URL: e.URL, Description: e.Description, Events: e.Events, Enabled: e.Enabled,
		DisabledAt: utc(e.DisabledAt), FailingSince: utc(e.FailingSince), PreviousSecretExpiresAt: utc(e.PreviousExpiresAt),
		CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
	if v.Events == nil {
		v.Events = []string{}
	}
	if e.DisabledReason != "" {
		v.DisabledReason, v.DisabledDetail = new(string(e.DisabledReason)), new(e.DisabledDetail)
	}
	return v
}

func deliveryView(d people.WebhookDelivery) WebhookDelivery {
	v := WebhookDelivery{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: string(d.EventType),
		Status: string(d.Status), AttemptCount: d.Attempts, NextAttemptAt: utc(d.NextAttemptAt), LastAttemptAt: utc(d.LastAttemptAt),
		LastError: d.LastError, ReplayOf: d.ReplayOf, CreatedAt: d.CreatedAt.UTC(), FinishedAt: utc(d.FinishedAt)}
	if d.LastAttemptAt != nil {
		if d.LastStatus != 0 {
			v.LastResponseCode = new(d.LastStatus)
		}
		v.LastLatencyMS = new(d.LastLatency.Milliseconds())
	}
	return v
}

// CreateWebhookEndpointRequest registers an endpoint.
type CreateWebhookEndpointRequest struct {
	// URL receives the webhooks: https, at most 2048 characters, and not a loopback, private, link-local or metadata address.
	URL string `json:"url" format:"uri" maxLength:"2048" example:"https://lms.example.com/hooks/invited"`
	// Events to receive, or ["*"] for every type, present and future.
	Events      []string `json:"events" maxItems:"20" enums:"*,user.created,user.updated,user.confirmed,user.deactivated,user.reactivated,user.password_set,invite.sent,invite.resent,invite.revoked,invite.accepted,invite.expired,invite.reminded,invite.delivery_updated,job.finished"`
	Description string   `json:"description" maxLength:"500" example:"Enrol new learners in their first course" validate:"optional"`
}

// createWebhookEndpoint godoc
//
//	@Summary		Create a webhook endpoint
//	@Description	Registers a URL that receives the organization's events as signed webhooks (Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature headers). The answer carries the signing secret, shown this once. Owners and admins only; at most 20 endpoints per organization. The URL must be https and must not name a loopback, private, link-local or metadata address; names are checked again at every connection, after resolution.
//	@ID				createWebhookEndpoint
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		CreateWebhookEndpointRequest	true	"The endpoint"
//	@Success		201		{object}	WebhookEndpointSecret			"The endpoint and its signing secret"
//	@Failure		400		{object}	Problem							"invalid_request: url not allowed, unknown event type (errors names each)"
//	@Failure		401		{object}	Problem							"unauthorized"
//	@Failure		403		{object}	Problem							"forbidden: only owners and admins"
//	@Failure		409		{object}	Problem							"webhook_endpoint_limit_reached"
//	@Failure		413		{object}	Problem							"payload_too_large"
//	@Failure		415		{object}	Problem							"unsupported_media_type"
//	@Failure		501		{object}	Problem							"not_implemented: the deployment has no key for signing secrets"
//	@Router			/webhook-endpoints [post]
func (s *Server) createWebhookEndpoint(c echo.Context) error {
	var req CreateWebhookEndpointRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := requireFields("url", req.URL); err != nil {
		return err
	}
	ep, secret, err := s.svc.CreateWebhookEndpoint(c.Request().Context(), actorOf(c), people.NewWebhookEndpoint{
		URL: req.URL, Events: req.Events, Description: req.Description})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/webhook-endpoints/"+ep.ID.String())
	return writeJSON(c, http.StatusCreated, WebhookEndpointSecret{Endpoint: endpointView(ep), Secret: secret})
}

// listWebhookEndpoints godoc
//
//	@Summary		List webhook endpoints
//	@Description	The organization's webhook endpoints, oldest first, in one page. Owners and admins only.
//	@ID				listWebhookEndpoints
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Produce		json
//	@Success		200	{object}	WebhookEndpointList
//	@Failure		401	{object}	Problem	"unauthorized"
//	@Failure		403	{object}	Problem	"forbidden"
//	@Router			/webhook-endpoints [get]
func (s *Server) listWebhookEndpoints(c echo.Context) error {
	eps, err := s.svc.ListWebhookEndpoints(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	out := WebhookEndpointList{Data: make([]WebhookEndpoint, len(eps))}
	for i, ep := range eps {
		out.Data[i] = endpointView(ep)
	}
	return writeJSON(c, http.StatusOK, out)
}

// getWebhookEndpoint godoc
//
//	@Summary		Get a webhook endpoint
//	@Description	The endpoint, with why it is disabled when it is. Owners and admins only.
//	@ID				getWebhookEndpoint
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"Endpoint id"	format(uuid)
//	@Success		200	{object}	WebhookEndpoint
//	@Failure		401	{object}	Problem	"unauthorized"
//	@Failure		403	{object}	Problem	"forbidden"
//	@Failure		404	{object}	Problem	"not_found"
//	@Router			/webhook-endpoints/{id} [get]
func (s *Server) getWebhookEndpoint(c echo.Context) error {
	id := idOrNil(c)
	ep, err := s.svc.GetWebhookEndpoint(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, endpointView(ep))
}

// UpdateWebhookEndpointRequest changes some of an endpoint; absent fields stay.
type UpdateWebhookEndpointRequest struct {
	URL         *string   `json:"url" format:"uri" maxLength:"2048" validate:"optional"`
	Events      *[]string `json:"events" maxItems:"20" enums:"*,user.created,user.updated,user.confirmed,user.deactivated,user.reactivated,user.password_set,invite.sent,invite.resent,invite.revoked,invite.accepted,invite.expired,invite.reminded,invite.delivery_updated,job.finished" validate:"optional"`
	Description *string   `json:"description" maxLength:"500" validate:"optional"`
	// Enabled false stops deliveries (disabled_reason manual); true resumes them, pending ones in order.
	Enabled *bool `json:"enabled" example:"true" validate:"optional"`
}

// updateWebhookEndpoint godoc
//
//	@Summary		Edit a webhook endpoint
//	@Description	Changes the URL, the events or the description, or disables and enables the endpoint. Enabling an endpoint that was disabled (by hand, by a 410 answer or after 3 days of failures) clears the reason and resumes its pending deliveries in order. Owners and admins only.
//	@ID				updateWebhookEndpoint
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			id		path		string							true	"Endpoint id"	format(uuid)
//	@Param			body	body		UpdateWebhookEndpointRequest	true	"Fields to change"
//	@Success		200		{object}	WebhookEndpoint
//	@Failure		400		{object}	Problem	"invalid_request"
//	@Failure		401		{object}	Problem	"unauthorized"
//	@Failure		403		{object}	Problem	"forbidden"
//	@Failure		404		{object}	Problem	"not_found"
//	@Failure		413		{object}	Problem	"payload_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type"
//	@Router			/webhook-endpoints/{id} [patch]
func (s *Server) updateWebhookEndpoint(c echo.Context) error {
	id := idOrNil(c)
	var req UpdateWebhookEndpointRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	ep, err := s.svc.UpdateWebhookEndpoint(c.Request().Context(), actorOf(c), id, people.WebhookEndpointPatch{
		URL: req.URL, Events: req.Events, Description: req.Description, Enabled: req.Enabled})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, endpointView(ep))
}

// deleteWebhookEndpoint godoc
//
//	@Summary		Delete a webhook endpoint
//	@Description	Removes the endpoint and its deliveries; nothing more is sent to it. Owners and admins only.
//	@ID				deleteWebhookEndpoint
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Param			id	path	string	true	"Endpoint id"	format(uuid)
//	@Success		204	"Deleted"
//	@Failure		401	{object}	Problem	"unauthorized"
//	@Failure		403	{object}	Problem	"forbidden"
//	@Failure		404	{object}	Problem	"not_found"
//	@Router			/webhook-endpoints/{id} [delete]
func (s *Server) deleteWebhookEndpoint(c echo.Context) error {
	id := idOrNil(c)
	if err := s.svc.DeleteWebhookEndpoint(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// rotateWebhookSecret godoc
//
//	@Summary		Rotate an endpoint's signing secret
//	@Description	Gives the endpoint a new signing secret, answered this once. For 24 hours the previous secret keeps signing beside the new one (both signatures in webhook-signature), so the receiver can switch without losing a webhook; rotating again within the 24 hours drops the oldest at once. Owners and admins only.
//	@ID				rotateWebhookSecret
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"Endpoint id"	format(uuid)
//	@Success		200	{object}	WebhookEndpointSecret	"The endpoint and its new secret"
//	@Failure		401	{object}	Problem					"unauthorized"
//	@Failure		403	{object}	Problem					"forbidden"
//	@Failure		404	{object}	Problem					"not_found"
//	@Failure		501	{object}	Problem					"not_implemented"
//	@Router			/webhook-endpoints/{id}/rotate-secret [post]
func (s *Server) rotateWebhookSecret(c echo.Context) error {
	id := idOrNil(c)
	ep, secret, err := s.svc.RotateWebhookSecret(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, WebhookEndpointSecret{Endpoint: endpointView(ep), Secret: secret})
}

// testWebhookEndpoint godoc
//
//	@Summary		Send a test webhook
//	@Description	Sends the endpoint a ping event, whatever events it subscribes to, and answers its delivery; follow it with GET /webhook-deliveries/{id}. Owners and admins only.
//	@ID				testWebhookEndpoint
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"Endpoint id"	format(uuid)
//	@Success		202	{object}	WebhookDeliveryAccepted	"The ping's delivery, on its way"
//	@Failure		401	{object}	Problem					"unauthorized"
//	@Failure		403	{object}	Problem					"forbidden"
//	@Failure		404	{object}	Problem					"not_found"
//	@Failure		409	{object}	Problem					"webhook_endpoint_disabled"
//	@Failure		501	{object}	Problem					"not_implemented"
//	@Router			/webhook-endpoints/{id}/test [post]
func (s *Server) testWebhookEndpoint(c echo.Context) error {
	id := idOrNil(c)
	d, err := s.svc.TestWebhookEndpoint(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusAccepted, WebhookDeliveryAccepted{Delivery: deliveryView(d)})
}

// listWebhookDeliveries godoc
//
//	@Summary		List an endpoint's deliveries
//	@Description	Every event sent or to be sent to the endpoint, newest first, with its status, attempt count, last response code and latency, and when the next retry is due. Owners and admins only.
//	@ID				listWebhookDeliveries
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id			path		string	true	"Endpoint id"	format(uuid)
//	@Param			status		query		string	false	"Only deliveries with this status"	Enums(pending, succeeded, failed)
//	@Param			event_type	query		string	false	"Only events of this type"	Enums(ping, user.created, user.updated, user.confirmed, user.deactivated, user.reactivated, user.password_set, invite.sent, invite.resent, invite.revoked, invite.accepted, invite.expired, invite.reminded, invite.delivery_updated, job.finished)
//	@Param			limit		query		int		false	"Page size"	minimum(1)	maximum(200)	default(50)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"	maxLength(512)
//	@Success		200			{object}	WebhookDeliveryList
//	@Failure		400			{object}	Problem	"invalid_request"
//	@Failure		401			{object}	Problem	"unauthorized"
//	@Failure		403			{object}	Problem	"forbidden"
//	@Failure		404			{object}	Problem	"not_found"
//	@Router			/webhook-endpoints/{id}/deliveries [get]
func (s *Server) listWebhookDeliveries(c echo.Context) error {
	if err := allowQuery(c, "status", "event_type", "limit", "cursor"); err != nil {
		return err
	}
	id := idOrNil(c)
	q := newQuery(c)
	p := people.DeliveriesParams{Status: q.string("status"), EventType: q.string("event_type"),
		Limit: q.limit("limit", people.MaxPageSize), Cursor: q.string("cursor")}
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.svc.ListWebhookDeliveries(c.Request().Context(), actorOf(c), id, p)
	if err != nil {
		return err
	}
	out := WebhookDeliveryList{Data: make([]WebhookDelivery, len(page.Deliveries)), NextCursor: cursorPtr(page.NextCursor), HasMore: page.HasMore}
	for i, d := range page.Deliveries {
		out.Data[i] = deliveryView(d)
	}
	return writeJSON(c, http.StatusOK, out)
}

// getWebhookDelivery godoc
//
//	@Summary		Get a webhook delivery
//	@Description	The delivery with every attempt at it: when, the answer's status or why there was none, the latency and the start of the answer. Owners and admins only.
//	@ID				getWebhookDelivery
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"Delivery id"	format(uuid)
//	@Success		200	{object}	WebhookDelivery
//	@Failure		401	{object}	Problem	"unauthorized"
//	@Failure		403	{object}	Problem	"forbidden"
//	@Failure		404	{object}	Problem	"not_found"
//	@Router			/webhook-deliveries/{id} [get]
func (s *Server) getWebhookDelivery(c echo.Context) error {
	id := idOrNil(c)
	d, attempts, err := s.svc.GetWebhookDelivery(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	v := deliveryView(d)
	v.Attempts = make([]WebhookAttempt, len(attempts))
	for i, a := range attempts {
		v.Attempts[i] = WebhookAttempt{Number: a.Number, StartedAt: a.StartedAt.UTC(), Error: a.Error,
			LatencyMS: a.Latency.Milliseconds(), ResponseBody: a.ResponseBody}
		if a.StatusCode != 0 {
			v.Attempts[i].StatusCode = new(a.StatusCode)
		}
	}
	return writeJSON(c, http.StatusOK, v)
}

// replayWebhookDelivery godoc
//
//	@Summary		Replay a webhook delivery
//	@Description	Sends the delivery's event to its endpoint again as a new delivery, with the same body and webhook-id (a receiver that processed it already can tell), whatever became of the first. A replay waits for no earlier event. Owners and admins only.
//	@ID				replayWebhookDelivery
//	@Tags			Webhook endpoints
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		string	true	"Delivery id"	format(uuid)
//	@Success		202	{object}	WebhookDeliveryAccepted	"The new delivery, on its way"
//	@Failure		401	{object}	Problem					"unauthorized"
//	@Failure		403	{object}	Problem					"forbidden"
//	@Failure		404	{object}	Problem					"not_found"
//	@Failure		409	{object}	Problem					"webhook_endpoint_disabled"
//	@Router			/webhook-deliveries/{id}/replay [post]
func (s *Server) replayWebhookDelivery(c echo.Context) error {
	id := idOrNil(c)
	d, err := s.svc.ReplayWebhookDelivery(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusAccepted, WebhookDeliveryAccepted{Delivery: deliveryView(d)})
}

// idOrNil is the path's id, or the nil UUID (the id of nothing) when it is
// malformed: the service then refuses a caller without the role first, and
// answers not_found otherwise, exactly as for an unknown id.
func idOrNil(c echo.Context) uuid.UUID {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil
	}
	return id
}
