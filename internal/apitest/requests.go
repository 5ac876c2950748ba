package apitest

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/mail/sendgridtest"
)

// Put is Do for a PUT of a JSON body with a token.
func (e *Env) Put(path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}

// Patch is Do for a PATCH of a JSON body with a token.
func (e *Env) Patch(path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPatch, Path: path, Token: token, Body: body})
}

// DeliveryEvents posts events to the SendGrid webhook, signed as SendGrid
// signs them, and requires the 204 that acknowledges them.
func (e *Env) DeliveryEvents(events ...sendgridtest.Event) {
	e.T.Helper()
	body := sendgridtest.EventJSON(events...)
	hdr := sendgridtest.WebhookHeaders(e.WebhookKey, e.Clock.Now(), body)
	h := map[string]string{}
	for k := range hdr {
		h[k] = hdr.Get(k)
	}
	e.Do(Request{Method: http.MethodPost, Path: "/webhooks/sendgrid", Body: body, Header: h}).Expect(http.StatusNoContent)
}

// DeliveryEvent reports one event of type typ (sendgridtest.Bounce…)
// about an invite of org, as SendGrid would.
func (e *Env) DeliveryEvent(org Org, inviteID uuid.UUID, typ string) {
	e.T.Helper()
	e.DeliveryEvents(sendgridtest.Event{Type: typ, InviteID: inviteID.String(), OrganizationID: org.ID.String(),
		Timestamp: e.Clock.Now()})
}
