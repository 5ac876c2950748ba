package apitest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
)

// WebhookPath is where SendGrid posts delivery events.
const WebhookPath = "/webhooks/sendgrid"

// PostEvents posts a raw event webhook body with the given headers, as
// they are: tests of the signature check tamper with either.
func (e *Env) PostEvents(body []byte, header http.Header) *Response {
	e.T.Helper()
	h := map[string]string{}
	for k := range header {
		h[k] = header.Get(k)
	}
	// Missing signature headers or a body that is not an array of events
	// break the contract on purpose; the answer is checked all the same.
	trimmed := bytes.TrimSpace(body)
	offContract := header.Get(mail.SignatureHeader) == "" || header.Get(mail.TimestampHeader) == "" ||
		!json.Valid(trimmed) || !bytes.HasPrefix(trimmed, []byte("["))
	return e.Do(Request{Method: http.MethodPost, Path: WebhookPath, Body: body, Header: h, Invalid: offContract})
}

// SendEvents posts events as SendGrid does, signed with the environment's
// webhook key at the environment's current time.
func (e *Env) SendEvents(events ...sendgridtest.Event) *Response {
	e.T.Helper()
	return e.SendEventsAt(e.Clock.Now(), events...)
}

// SendEventsAt posts events signed with a timestamp of at.
func (e *Env) SendEventsAt(at time.Time, events ...sendgridtest.Event) *Response {
	e.T.Helper()
	body := sendgridtest.EventJSON(events...)
	return e.PostEvents(body, sendgridtest.WebhookHeaders(e.WebhookKey, at, body))
}
