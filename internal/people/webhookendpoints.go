package people

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/webhooks"
)

// requireWebhookAdmin lets owners and admins manage webhook endpoints:
// they decide where the organization's people data goes.
func (a Actor) requireWebhookAdmin() error {
	if a.Role.Rank() < Admin.Rank() {
		return apperr.New(apperr.Forbidden, "Only owners and admins manage webhook endpoints; your role is %s.", a.Role)
	}
	return nil
}

// webhooksReady refuses when the deployment cannot keep signing secrets.
func (s *Service) webhooksReady() error {
	if s.webhooks.Secrets == nil || s.webhooks.Views == nil {
		return apperr.New(apperr.NotImplemented, "Webhooks are not available: set WEBHOOK_SECRET_KEYS (or JWT_SECRET) so that signing secrets can be kept.")
	}
	return nil
}

// NewWebhookEndpoint is an endpoint to create.
type NewWebhookEndpoint struct {
	URL         string
	Events      []string
	Description string
}

// WebhookEndpointPatch changes some of an endpoint; nil leaves a field alone.
type WebhookEndpointPatch struct {
	URL         *string
	Events      *[]string
	Description *string
	Enabled     *bool
}

func (s *Service) checkEndpointURL(raw string) (string, []apperr.FieldError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", []apperr.FieldError{apperr.Field("url", "required", "url is required")}
	}
	if _, err := s.webhooks.Policy.CheckURL(raw); err != nil {
		return "", []apperr.FieldError{apperr.Field("url", "not_allowed", "%s", err.Error())}
	}
	return raw, nil
}

// maxEventNames bounds the events list of a request: every type fits.
const maxEventNames = 20

func checkEvents(events []string) ([]string, []apperr.FieldError) {
	if len(events) == 0 {
		return nil, []apperr.FieldError{apperr.Field("events", "required", `events must name at least one event type, or be ["*"] for all`)}
	}
	if len(events) > maxEventNames {
		return nil, []apperr.FieldError{apperr.Field("events", "too_many", "events may name at most %d types", maxEventNames)}
	}
	out := make([]string, 0, len(events))
	for _, e := range events {
		switch {
		case e == AllEvents && len(events) == 1:
		case e == AllEvents:
			return nil, []apperr.FieldError{apperr.Field("events", "invalid", `"*" subscribes to every event and stands alone`)}
		case !slices.Contains(EventTypes, EventType(e)):
			return nil, []apperr.FieldError{apperr.Field("events", "invalid", "events may contain only %s or \"*\", got %q", joinValues(EventTypes), e)}
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func checkDescription(d string) (string, []apperr.FieldError) {
	d = strings.TrimSpace(d)
	if utf8.RuneCountInString(d) > 500 {
		return "", []apperr.FieldError{apperr.Field("description", "too_long", "description must be at most 500 characters")}
	}
	return d, nil
}

// CreateWebhookEndpoint registers an endpoint and returns it with its
// signing secret, which is shown this once and kept only encrypted.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, actor Actor, n NewWebhookEndpoint) (WebhookEndpoint, string, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return WebhookEndpoint{}, "", err
	}
	if err := s.webhooksReady(); err != nil {
		return WebhookEndpoint{}, "", err
	}
	u, errs := s.checkEndpointURL(n.URL)
	events, e2 := checkEvents(n.Events)
	desc, e3 := checkDescription(n.Description)
	if errs = append(append(errs, e2...), e3...); len(errs) > 0 {
		return WebhookEndpoint{}, "", apperr.Invalid(errs...)
	}
	now := s.now()
	ep := WebhookEndpoint{ID: newID(), OrganizationID: actor.OrganizationID, URL: u, Description: desc, Events: events,
		Enabled: true, CreatedBy: &actor.ID, CreatedAt: now, UpdatedAt: now}
	secret := webhooks.NewSecret()
	ep.Secret = s.webhooks.Secrets.Seal(secret, ep.ID.String())
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		existing, err := s.store.ListWebhookEndpoints(ctx, actor.OrganizationID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxWebhookEndpoints {
			return apperr.New(apperr.WebhookEndpointLimit, "An organization can have at most %d webhook endpoints; delete one first.", MaxWebhookEndpoints)
		}
		if err := s.store.CreateWebhookEndpoint(ctx, &ep); err != nil {
			return err
		}
		return s.audit(ctx, ep.OrganizationID, &actor.ID, nil, ActionEndpointCreated, map[string]any{
			"endpoint_id": ep.ID, "host": hostOf(ep.URL), "events": ep.Events,
		})
	})
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	return ep, secret, nil
}

// hostOf is the part of an endpoint URL the audit trail keeps: a query
// string may carry a receiver's own token.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// ListWebhookEndpoints returns the organization's endpoints, oldest first.
func (s *Service) ListWebhookEndpoints(ctx context.Context, actor Actor) ([]WebhookEndpoint, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return nil, err
	}
	return s.store.ListWebhookEndpoints(ctx, actor.OrganizationID)
}

// GetWebhookEndpoint returns one endpoint of the organization.
func (s *Service) GetWebhookEndpoint(ctx context.Context, actor Actor, id uuid.UUID) (WebhookEndpoint, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return WebhookEndpoint{}, err
	}
	return s.store.WebhookEndpoint(ctx, actor.OrganizationID, id)
}

// UpdateWebhookEndpoint changes an endpoint. Enabling a disabled one clears
// why it was disabled and resumes its pending deliveries in order.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, actor Actor, id uuid.UUID, p WebhookEndpointPatch) (WebhookEndpoint, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return WebhookEndpoint{}, err
	}
	var errs []apperr.FieldError
	var url, desc string
	var events []string
	if p.URL != nil {
		var fe []apperr.FieldError
		url, fe = s.checkEndpointURL(*p.URL)
		errs = append(errs, fe...)
	}
	if p.Events != nil {
		var fe []apperr.FieldError
		events, fe = checkEvents(*p.Events)
		errs = append(errs, fe...)
	}
	if p.Description != nil {
		var fe []apperr.FieldError
		desc, fe = checkDescription(*p.Description)
		errs = append(errs, fe...)
	}
	if len(errs) > 0 {
		return WebhookEndpoint{}, apperr.Invalid(errs...)
	}
	var ep WebhookEndpoint
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if ep, err = s.store.LockWebhookEndpoint(ctx, actor.OrganizationID, id); err != nil {
			return err
		}
		now := s.now()
		var changed []string
		if p.URL != nil && url != ep.URL {
			ep.URL, changed = url, append(changed, "url")
		}
		if p.Events != nil && !slices.Equal(events, ep.Events) {
			ep.Events, changed = events, append(changed, "events")
		}
		if p.Description != nil && desc != ep.Description {
			ep.Description, changed = desc, append(changed, "description")
		}
		resume := false
		if p.Enabled != nil && *p.Enabled != ep.Enabled {
			changed = append(changed, "enabled")
			if *p.Enabled {
				ep.Enabled, ep.DisabledReason, ep.DisabledDetail, ep.DisabledAt, ep.FailingSince = true, "", "", nil, nil
				resume = true
			} else {
				ep.Enabled, ep.DisabledReason, ep.DisabledDetail, ep.DisabledAt = false, DisabledManual,
					"Disabled by an owner or admin.", &now
			}
		}
		if len(changed) == 0 {
			return nil
		}
		ep.UpdatedAt = now
		if err := s.store.UpdateWebhookEndpoint(ctx, &ep); err != nil {
			return err
		}
		if resume {
			if err := s.store.EnqueueWebhookDeliveries(ctx, []uuid.UUID{ep.ID}); err != nil {
				return err
			}
		}
		return s.audit(ctx, ep.OrganizationID, &actor.ID, nil, ActionEndpointUpdated, map[string]any{
			"endpoint_id": ep.ID, "fields": changed, "enabled": ep.Enabled,
		})
	})
	return ep, err
}

// DeleteWebhookEndpoint removes an endpoint with its deliveries.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, actor Actor, id uuid.UUID) error {
	if err := actor.requireWebhookAdmin(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		ep, err := s.store.WebhookEndpoint(ctx, actor.OrganizationID, id)
		if err != nil {
			return err
		}
		if err := s.store.DeleteWebhookEndpoint(ctx, actor.OrganizationID, id); err != nil {
			return err
		}
		return s.audit(ctx, ep.OrganizationID, &actor.ID, nil, ActionEndpointDeleted, map[string]any{
			"endpoint_id": ep.ID, "host": hostOf(ep.URL),
		})
	})
}

// RotateWebhookSecret gives an endpoint a new signing secret, returned
// this once. The previous one keeps signing beside it for SecretOverlap,
// so the receiver can switch without losing a webhook; a secret older than
// the previous one stops at once.
func (s *Service) RotateWebhookSecret(ctx context.Context, actor Actor, id uuid.UUID) (WebhookEndpoint, string, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return WebhookEndpoint{}, "", err
	}
	if err := s.webhooksReady(); err != nil {
		return WebhookEndpoint{}, "", err
	}
	secret := webhooks.NewSecret()
	var ep WebhookEndpoint
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if ep, err = s.store.LockWebhookEndpoint(ctx, actor.OrganizationID, id); err != nil {
			return err
		}
		now := s.now()
		ep.PreviousSecret, ep.PreviousExpiresAt = "", nil
		// A previous secret that no longer opens (its key was removed) cannot sign: it is dropped.
		if old, err := s.webhooks.Secrets.Open(ep.Secret, ep.ID.String()); err == nil {
			expires := now.Add(SecretOverlap)
			ep.PreviousSecret, ep.PreviousExpiresAt = s.webhooks.Secrets.Seal(old, ep.ID.String()), &expires
		}
		ep.Secret, ep.UpdatedAt = s.webhooks.Secrets.Seal(secret, ep.ID.String()), now
		if err := s.store.UpdateWebhookEndpoint(ctx, &ep); err != nil {
			return err
		}
		return s.audit(ctx, ep.OrganizationID, &actor.ID, nil, ActionEndpointUpdated, map[string]any{
			"endpoint_id": ep.ID, "fields": []string{"secret"},
		})
	})
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	return ep, secret, nil
}

// TestWebhookEndpoint sends the endpoint a ping event, whatever it
// subscribes to, and returns its delivery.
func (s *Service) TestWebhookEndpoint(ctx context.Context, actor Actor, id uuid.UUID) (WebhookDelivery, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return WebhookDelivery{}, err
	}
	if err := s.webhooksReady(); err != nil {
		return WebhookDelivery{}, err
	}
	var d WebhookDelivery
	err := s.sendTo(ctx, actor, id, func(ep WebhookEndpoint, now time.Time) ([]WebhookEvent, WebhookDelivery) {
		ev := WebhookEvent{ID: newID(), OrganizationID: ep.OrganizationID, Type: EventPing, CreatedAt: now}
		ev.Payload = eventBody(ev, []byte(`{"endpoint_id":"`+ep.ID.String()+`"}`))
		d = newDelivery(ev, ep.ID, nil, now)
		return []WebhookEvent{ev}, d
	})
	return d, err
}

// sendTo queues, in one transaction, the delivery that build makes for the
// organization's enabled endpoint id, and the endpoint's delivery run.
func (s *Service) sendTo(ctx context.Context, actor Actor, id uuid.UUID, build func(WebhookEndpoint, time.Time) ([]WebhookEvent, WebhookDelivery)) error {
	return s.store.InTx(ctx, func(ctx context.Context) error {
		ep, err := s.store.WebhookEndpoint(ctx, actor.OrganizationID, id)
		if err != nil {
			return err
		}
		if err := requireEnabled(ep); err != nil {
			return err
		}
		events, d := build(ep, s.now())
		if err := s.store.AddWebhookEvents(ctx, events, []WebhookDelivery{d}); err != nil {
			return err
		}
		return s.store.EnqueueWebhookDeliveries(ctx, []uuid.UUID{ep.ID})
	})
}

func requireEnabled(ep WebhookEndpoint) error {
	if !ep.Enabled {
		return apperr.New(apperr.WebhookEndpointDisabled, "The endpoint is disabled (%s); enable it first.", ep.DisabledReason)
	}
	return nil
}

// DeliveriesParams is a delivery listing request as the client wrote it.
type DeliveriesParams struct {
	Status, EventType string
	// Limit is the page size; 0 is DefaultPageSize.
	Limit  int
	Cursor string
}

// DeliveryPage is a page of deliveries, newest first.
type DeliveryPage struct {
	Deliveries []WebhookDelivery
	NextCursor string
	HasMore    bool
}

// ListWebhookDeliveries pages an endpoint's deliveries, newest first.
func (s *Service) ListWebhookDeliveries(ctx context.Context, actor Actor, endpointID uuid.UUID, p DeliveriesParams) (DeliveryPage, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return DeliveryPage{}, err
	}
	var f DeliveryFilter
	var errs []apperr.FieldError
	if p.Status != "" {
		if f.Status = WebhookDeliveryStatus(p.Status); !slices.Contains(WebhookDeliveryStatuses, f.Status) {
			errs = append(errs, apperr.Field("status", "invalid", "status must be one of %s, got %q", joinValues(WebhookDeliveryStatuses), p.Status))
		}
	}
	if p.EventType != "" {
		if f.EventType = EventType(p.EventType); !slices.Contains(append(EventTypes, EventPing), f.EventType) {
			errs = append(errs, apperr.Field("event_type", "invalid", "event_type must be one of %s, got %q", joinValues(append(EventTypes, EventPing)), p.EventType))
		}
	}
	var paging []apperr.FieldError
	f.Limit, f.After, paging = pageParams("limit", p.Limit, "cursor", p.Cursor)
	if errs = append(errs, paging...); len(errs) > 0 {
		return DeliveryPage{}, apperr.Invalid(errs...)
	}
	if _, err := s.store.WebhookEndpoint(ctx, actor.OrganizationID, endpointID); err != nil {
		return DeliveryPage{}, err
	}
	limit := f.Limit
	f.Limit++
	ds, err := s.store.ListWebhookDeliveries(ctx, actor.OrganizationID, endpointID, f)
	if err != nil {
		return DeliveryPage{}, err
	}
	var page DeliveryPage
	page.Deliveries, page.NextCursor, page.HasMore = trimPage(ds, limit, func(last WebhookDelivery) string {
		return timeCursor{CreatedAt: last.CreatedAt, ID: last.ID}.encode()
	})
	return page, nil
}

// GetWebhookDelivery returns a delivery with every attempt at it.
func (s *Service) GetWebhookDelivery(ctx context.Context, actor Actor, id uuid.UUID) (WebhookDelivery, []WebhookAttempt, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return WebhookDelivery{}, nil, err
	}
	d, err := s.store.WebhookDelivery(ctx, actor.OrganizationID, id)
	if err != nil {
		return WebhookDelivery{}, nil, err
	}
	attempts, err := s.store.WebhookAttempts(ctx, d.ID)
	return d, attempts, err
}

// ReplayWebhookDelivery sends a delivery's event to its endpoint again, as
// a new delivery with the same webhook id (receivers that already
// processed it can tell). A replay waits for no earlier event.
func (s *Service) ReplayWebhookDelivery(ctx context.Context, actor Actor, id uuid.UUID) (WebhookDelivery, error) {
	if err := actor.requireWebhookAdmin(); err != nil {
		return WebhookDelivery{}, err
	}
	orig, err := s.store.WebhookDelivery(ctx, actor.OrganizationID, id)
	if err != nil {
		return WebhookDelivery{}, err
	}
	var d WebhookDelivery
	err = s.sendTo(ctx, actor, orig.EndpointID, func(_ WebhookEndpoint, now time.Time) ([]WebhookEvent, WebhookDelivery) {
		d = WebhookDelivery{ID: newID(), OrganizationID: orig.OrganizationID, EndpointID: orig.EndpointID, EventID: orig.EventID,
			EventType: orig.EventType, Status: WebhookPending, NextAttemptAt: &now, ReplayOf: &orig.ID, CreatedAt: now}
		return nil, d
	})
	return d, err
}
