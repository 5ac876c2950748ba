package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/input"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/people"
)

// sendgridWebhook godoc
//
//	@Summary		SendGrid event webhook
//	@Description	Receives SendGrid's signed event batches and records what became of each invitation email (delivered, deferred, bounced, blocked, dropped, spam report). The ECDSA signature over the raw body is checked before anything is parsed; a batch sent again changes nothing, and an event older than the one already recorded never overwrites it. Events find their invitation through the custom args invite_id and organization_id, or else through the message id and recipient. Engagement events (open, click) and events about invitations of no known organization are accepted and ignored, so that SendGrid does not retry them.
//	@ID				sendgridWebhook
//	@Tags			Webhooks
//	@Accept			json
//	@Param			X-Twilio-Email-Event-Webhook-Signature	header	string				true	"Base64 ECDSA signature of timestamp + body"	maxLength(200)
//	@Param			X-Twilio-Email-Event-Webhook-Timestamp	header	string				true	"Unix seconds; older than 10 minutes is refused"	maxLength(20)
//	@Param			body									body	[]map[string]any	true	"SendGrid event batch"
//	@Success		204										"Recorded"
//	@Failure		400										{object}	Problem	"invalid_request: not a JSON array of events"
//	@Failure		401										{object}	Problem	"invalid_signature"
//	@Failure		404										{object}	Problem	"not_found: the webhook is not configured"
//	@Failure		413										{object}	Problem	"payload_too_large"
//	@x-examples		{"request": [{"email": "ada.lovelace@example.com", "timestamp": 1764000314, "event": "bounce", "type": "bounce", "reason": "550 5.1.1 The email account that you tried to reach does not exist", "status": "5.1.1", "sg_event_id": "ZGVsaXZlcmVkLTAtMjY0NjQ4NjQtMQ", "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", "invite_id": "01a21568-0f1e-7a2b-8c3d-4e5f6a7b8c9d", "organization_id": "01a21560-7b2c-7d3e-8f40-5a6b7c8d9e0f"}]}
//	@Router			/webhooks/sendgrid [post]
func (s *Server) sendgridWebhook(c echo.Context) error {
	if s.webhook == nil {
		return apperr.New(apperr.NotFound, "The SendGrid webhook is not configured (SENDGRID_WEBHOOK_PUBLIC_KEY).")
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	h := c.Request().Header
	if err := s.webhook.Verify(h.Get(mail.SignatureHeader), h.Get(mail.TimestampHeader), body); err != nil {
		return &apperr.Error{Code: apperr.InvalidSignature, Message: "The webhook signature is missing, invalid or too old.", Err: err}
	}
	if err := input.CheckJSONArray(body); err != nil {
		return err
	}
	events, err := mail.ParseEvents(body)
	if err != nil {
		return apperr.New(apperr.InvalidRequest, "The body must be a JSON array of SendGrid events.")
	}
	converted := make([]people.DeliveryEvent, 0, len(events))
	for _, e := range events {
		converted = append(converted, people.DeliveryEvent{
			EventID: e.EventID, InviteID: parseUUID(e.InviteID), OrganizationID: parseUUID(e.OrganizationID),
			MessageID: e.MessageID, Email: e.Email, Event: e.Event, Status: people.DeliveryStatus(e.Status), Reason: e.Reason,
			OccurredAt: e.Timestamp.UTC(),
		})
	}
	applied, err := s.svc.ApplyDeliveryEvents(c.Request().Context(), converted)
	if err != nil {
		return err
	}
	s.counters.DeliveryEvents(len(converted), applied)
	s.log.DebugContext(c.Request().Context(), "delivery events received", "events", len(converted), "applied", applied)
	return c.NoContent(http.StatusNoContent)
}

func parseUUID(s string) *uuid.UUID {
	id, err := uuid.Parse(s)
	if err != nil {
		return nil
	}
	return &id
}
