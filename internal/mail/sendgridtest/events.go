package sendgridtest

import (
	"cmp"
	"encoding/json"
	"time"
)

// SendGrid's names of the events EventJSON writes.
const (
	Processed   = "processed"
	Delivered   = "delivered"
	Deferred    = "deferred"
	Bounce      = "bounce"
	Dropped     = "dropped"
	Open        = "open"
	Click       = "click"
	SpamReport  = "spamreport"
	Unsubscribe = "unsubscribe"
)

// Event describes one delivery event for EventJSON. Only Type is required;
// everything else gets a realistic default.
type Event struct {
	Type string
	// BounceType is "bounce" (the default) or "blocked" for Bounce events.
	BounceType string
	Email      string // default ann@example.com
	// MessageID is the X-Message-Id of the send; the event carries it with
	// the suffix SendGrid appends. Random when empty.
	MessageID string
	// InviteID and OrganizationID become top-level custom args, as SendGrid
	// writes them; they are left out when empty.
	InviteID       string
	OrganizationID string
	EventID        string    // sg_event_id; random when empty
	Reason         string    // replaces the default reason (or response)
	Timestamp      time.Time // default now
}

// EventJSON writes events as the JSON array SendGrid posts to the event
// webhook.
func EventJSON(events ...Event) []byte {
	out := make([]map[string]any, 0, len(events))
	for _, e := range events {
		out = append(out, e.fields())
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic("sendgridtest: encode events: " + err.Error())
	}
	return b
}

func (e Event) fields() map[string]any {
	msgID := e.MessageID
	if msgID == "" {
		msgID = randomID(16)
	}
	at := e.Timestamp
	if at.IsZero() {
		at = time.Now()
	}
	f := map[string]any{
		"email":         cmp.Or(e.Email, "ann@example.com"),
		"timestamp":     at.Unix(),
		"event":         e.Type,
		"sg_event_id":   cmp.Or(e.EventID, randomID(16)),
		"sg_message_id": msgID + ".filterdrecv-7bf5c69d5-x8cvz-1-6560A1F3-2B.0",
		"category":      []string{"invite"},
	}
	if e.InviteID != "" {
		f["invite_id"] = e.InviteID
	}
	if e.OrganizationID != "" {
		f["organization_id"] = e.OrganizationID
	}
	switch e.Type {
	case Processed:
		f["smtp-id"] = "<" + msgID + "@geopod-ismtpd-3>"
	case Delivered:
		f["response"] = cmp.Or(e.Reason, "250 2.0.0 OK  1700000000 d9443c01a7336-1c9c5b9bd1dsi102 - gsmtp")
		f["ip"] = "149.72.123.24"
		f["tls"] = 1
	case Deferred:
		f["response"] = cmp.Or(e.Reason, "421 4.7.28 Too many messages from this IP; try again later")
		f["attempt"] = "1"
	case Bounce:
		if e.BounceType == "blocked" {
			f["type"] = "blocked"
			f["status"] = "5.7.1"
			f["reason"] = cmp.Or(e.Reason, "550 5.7.1 Message rejected under local policy")
			f["bounce_classification"] = "Reputation"
		} else {
			f["type"] = "bounce"
			f["status"] = "5.1.1"
			f["reason"] = cmp.Or(e.Reason, "550 5.1.1 The email account that you tried to reach does not exist")
			f["bounce_classification"] = "Invalid Address"
		}
	case Dropped:
		f["reason"] = cmp.Or(e.Reason, "Bounced Address")
		f["status"] = "5.0.0"
	case Open:
		f["useragent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
		f["ip"] = "203.0.113.7"
		f["sg_machine_open"] = false
	case Click:
		f["url"] = "https://app.example/activate"
		f["url_offset"] = map[string]any{"index": 0, "type": "html"}
		f["useragent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
		f["ip"] = "203.0.113.7"
	}
	return f
}
