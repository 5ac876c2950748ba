package sendgridtest

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	sgmail "github.com/sendgrid/sendgrid-go/helpers/mail"
)

// Message is one accepted mail send request.
type Message struct {
	// ID is the X-Message-Id the fake answered with.
	ID string
	// Received is when the fake accepted the message.
	Received time.Time
	// Request is the request body as parsed by sendgrid-go's own types.
	Request sgmail.SGMailV3
	// Raw is the request body as received.
	Raw []byte
	// Personalizations are the request's personalizations in order, each
	// with what its recipients see.
	Personalizations []Personalization
}

// Personalization is one personalization of a message as its recipients
// see it.
type Personalization struct {
	// Email is the address of the first "to" recipient; To lists them all.
	Email string
	To    []string
	// CustomArgs are the message's custom args overridden by the
	// personalization's own, as SendGrid merges them into delivery events.
	CustomArgs map[string]string
	// Substitutions and TemplateData are the personalization's as sent.
	Substitutions map[string]string
	TemplateData  map[string]any
	// Subject, Text and HTML are what the recipient sees, with the
	// substitutions applied. They are empty when the message names a
	// template_id: the fake does not render dynamic templates.
	Subject string
	Text    string
	HTML    string
}

// parseMessage decodes and validates a request body.
func parseMessage(body []byte) (Message, []apiError) {
	msg := Message{Raw: body}
	if err := json.Unmarshal(body, &msg.Request); err != nil {
		return Message{}, []apiError{newAPIError("", "Bad Request")}
	}
	if errs := validate(&msg.Request); len(errs) > 0 {
		return Message{}, errs
	}
	for _, p := range msg.Request.Personalizations {
		msg.Personalizations = append(msg.Personalizations, personalize(&msg.Request, p))
	}
	return msg, nil
}

// personalize works out what the recipients of p see, the way SendGrid
// applies substitutions: every occurrence of a key in the subject and in
// each content part is replaced by its value.
func personalize(m *sgmail.SGMailV3, p *sgmail.Personalization) Personalization {
	out := Personalization{
		CustomArgs:    map[string]string{},
		Substitutions: p.Substitutions,
		TemplateData:  p.DynamicTemplateData,
	}
	for _, to := range p.To {
		out.To = append(out.To, to.Address)
	}
	out.Email = out.To[0]
	maps.Copy(out.CustomArgs, m.CustomArgs)
	maps.Copy(out.CustomArgs, p.CustomArgs)
	if m.TemplateID != "" {
		return out
	}

	sub := substituter(p.Substitutions)
	out.Subject = sub.Replace(cmp.Or(p.Subject, m.Subject))
	for _, c := range m.Content {
		switch strings.ToLower(c.Type) {
		case "text/plain":
			out.Text = sub.Replace(c.Value)
		case "text/html":
			out.HTML = sub.Replace(c.Value)
		}
	}
	return out
}

// substituter replaces all keys in one pass, so that a value is never
// substituted again, and prefers the longest key where keys overlap.
func substituter(subs map[string]string) *strings.Replacer {
	keys := slices.SortedFunc(maps.Keys(subs), func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		if k != "" {
			pairs = append(pairs, k, subs[k])
		}
	}
	return strings.NewReplacer(pairs...)
}

// String names the message by id and recipients, so that a failed
// assertion on a list of messages stays readable.
func (m Message) String() string {
	var to []string
	for _, p := range m.Personalizations {
		to = append(to, strings.Join(p.To, ","))
	}
	return "message " + m.ID + " to " + strings.Join(to, ";")
}
