package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
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
//	@Param			X-Twilio-Email-Event-Webhook-Signature	header	string				true	"Base64 ECDSA signature of timestamp + body"
//	@Param			X-Twilio-Email-Event-Webhook-Timestamp	header	string				true	"Unix seconds; older than 10 minutes is refused"
//	@Param			body									body	[]map[string]any	true	"SendGrid event batch"
//	@Success		204
//	@Failure		400	{object}	Problem	"invalid_request: not a JSON array of events"
//	@Failure		401	{object}	Problem	"invalid_signature"
//	@Failure		404	{object}	Problem	"not_found: the webhook is not configured"
//	@Failure		413	{object}	Problem	"payload_too_large"
//	@Router			/webhooks/sendgrid [post]
func (s *Server) sendgridWebhook(c echo.Context) error {
	if s.webhook == nil {
		return apperr.New(apperr.NotFound, "The SendGrid webhook is not configured (SENDGRID_WEBHOOK_PUBLIC_KEY).")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return apperr.New(apperr.PayloadTooLarge, "The event batch is larger than 5 MiB.")
		}
		return apperr.New(apperr.InvalidRequest, "The request body could not be read.")
	}
	h := c.Request().Header
	if err := s.webhook.Verify(h.Get(mail.SignatureHeader), h.Get(mail.TimestampHeader), body); err != nil {
		return &apperr.Error{Code: apperr.InvalidSignature, Message: "The webhook signature is missing, invalid or too old.", Err: err}
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
