package apitest

import (
	"net/http"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// Endpoint is a webhook endpoint of an organization with the receiver
// behind it, which trusts the endpoint's secret.
type Endpoint struct {
	api.WebhookEndpoint
	Secret   string
	Receiver *webhooktest.Receiver
}

// WebhookEndpoint starts a receiver and registers it, through the API, as
// an endpoint of org for the events (every event when none is named).
func (e *Env) WebhookEndpoint(org Org, events ...string) Endpoint {
	e.T.Helper()
	if len(events) == 0 {
		events = []string{"*"}
	}
	recv := webhooktest.NewReceiver(e.T)
	var created api.WebhookEndpointSecret
	e.Post("/webhook-endpoints", org.OwnerToken, map[string]any{"url": recv.URL, "events": events}).
		Expect(http.StatusCreated).JSON(&created)
	recv.Trust(created.Secret)
	return Endpoint{WebhookEndpoint: created.Endpoint, Secret: created.Secret, Receiver: recv}
}

// Deliveries lists an endpoint's deliveries through the API, newest first.
func (e *Env) Deliveries(org Org, ep Endpoint, query string) []api.WebhookDelivery {
	e.T.Helper()
	var page api.WebhookDeliveryList
	path := "/webhook-endpoints/" + ep.ID.String() + "/deliveries"
	if query != "" {
		path += "?" + query
	}
	e.Get(path, org.OwnerToken).Expect(http.StatusOK).JSON(&page)
	return page.Data
}
