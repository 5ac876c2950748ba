package mail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Delivery statuses that events set on an invite. Events that say nothing
// about delivery (open, click, unsubscribe, processed…) have no status.
const (
	StatusDelivered  = "delivered"
	StatusDeferred   = "deferred"
	StatusBounced    = "bounced"
	StatusBlocked    = "blocked"
	StatusDropped    = "dropped"
	StatusSpamReport = "spam_report"
)

// maxEventReasonLen bounds DeliveryEvent.Reason, which is stored with the
// invite and shown to administrators.
const maxEventReasonLen = 500

// DeliveryEvent is one SendGrid event webhook event, reduced to what tells
// an administrator whether and why an invitation did not arrive.
type DeliveryEvent struct {
	// EventID is SendGrid's sg_event_id, unique per event: the key for
	// ignoring the duplicates that webhook retries bring.
	EventID string
	// InviteID and OrganizationID come from the custom args set at send
	// time; they are empty for mail that was not sent with them.
	InviteID       string
	OrganizationID string
	// MessageID is the part of sg_message_id before the first ".", which
	// equals the X-Message-Id of the send (Receipt.MessageID).
	MessageID string
	// Email is the recipient's address as SendGrid reports it.
	Email string
	// Event is SendGrid's raw event name, e.g. "bounce".
	Event string
	// Status is one of the Status constants, or "" when the event does not
	// change the delivery status.
	Status string
	// Reason is SendGrid's reason, response or SMTP status, at most 500
	// bytes.
	Reason string
	// Timestamp is when the event happened, in UTC.
	Timestamp time.Time
}

// ParseEvents decodes the JSON array of an event webhook request. Unknown
// fields and event types are tolerated, as SendGrid adds them over time;
// events without an sg_event_id cannot be deduplicated and are skipped.
// A body that is not a JSON array is an error.
func ParseEvents(rawBody []byte) ([]DeliveryEvent, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(rawBody, &raw); err != nil {
		return nil, fmt.Errorf("mail: webhook body is not a JSON array of events: %w", err)
	}
	events := make([]DeliveryEvent, 0, len(raw))
	for _, item := range raw {
		var fields map[string]json.RawMessage
		if json.Unmarshal(item, &fields) != nil {
			continue // not an object: nothing to learn from it
		}
		e := parseEvent(fields)
		if e.EventID == "" {
			continue
		}
		events = append(events, e)
	}
	return events, nil
}

func parseEvent(f map[string]json.RawMessage) DeliveryEvent {
	e := DeliveryEvent{
		EventID:        text(f["sg_event_id"]),
		InviteID:       customArg(f, CustomArgInviteID),
		OrganizationID: customArg(f, CustomArgOrganizationID),
		Email:          text(f["email"]),
		Event:          text(f["event"]),
		Reason:         reason(f),
		Timestamp:      unixTime(f["timestamp"]),
	}
	e.MessageID, _, _ = strings.Cut(text(f["sg_message_id"]), ".")
	e.Status = deliveryStatus(e.Event, text(f["type"]))
	return e
}

// deliveryStatus maps a SendGrid event to the invite's delivery status.
func deliveryStatus(event, bounceType string) string {
	switch event {
	case "delivered":
		return StatusDelivered
	case "deferred":
		return StatusDeferred
	case "bounce":
		// SendGrid reports a refusal by the receiving server's policy as a
		// bounce of type "blocked"; it is worth telling apart because the
		// address itself may be fine.
		if bounceType == "blocked" {
			return StatusBlocked
		}
		return StatusBounced
	case "blocked":
		return StatusBlocked
	case "dropped":
		return StatusDropped
	case "spamreport":
		return StatusSpamReport
	default:
		return ""
	}
}

// customArg reads a custom arg, which SendGrid writes as a top-level field;
// events of older integrations nest them under unique_args.
func customArg(f map[string]json.RawMessage, name string) string {
	if v := text(f[name]); v != "" {
		return v
	}
	var nested map[string]json.RawMessage
	if json.Unmarshal(f["unique_args"], &nested) == nil {
		return text(nested[name])
	}
	return ""
}

// reason joins what SendGrid says about a failure: "reason" for bounces and
// drops, "response" for deferrals, and the SMTP "status" when the text does
// not already carry it.
func reason(f map[string]json.RawMessage) string {
	msg := oneLine(text(f["reason"]))
	if msg == "" {
		msg = oneLine(text(f["response"]))
	}
	if status := oneLine(text(f["status"])); status != "" && !strings.Contains(msg, status) {
		msg = strings.TrimSpace(status + " " + msg)
	}
	return truncate(msg, maxEventReasonLen)
}

// text reads a JSON string, or the literal of a number or boolean, so that
// a field of an unexpected type does not spoil the whole batch.
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if raw[0] == '{' || raw[0] == '[' {
		return ""
	}
	return string(raw)
}

// unixTime reads SendGrid's timestamp, unix seconds as a number (or, from
// some integrations, a string).
func unixTime(raw json.RawMessage) time.Time {
	const lastSecondOf9999 = 253402300799 // beyond it RFC 3339 has no spelling
	sec, err := strconv.ParseFloat(text(raw), 64)
	if err != nil || math.IsNaN(sec) || sec <= 0 || sec > lastSecondOf9999 {
		return time.Time{}
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}
