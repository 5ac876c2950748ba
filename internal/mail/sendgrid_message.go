package mail

import (
	"time"

	sgmail "github.com/sendgrid/sendgrid-go/helpers/mail"
)

// Names that SendGrid echoes back in delivery events.
const (
	// Category is the SendGrid category of every invitation email.
	Category = "invite"
	// CustomArgInviteID and CustomArgOrganizationID are the custom args
	// that tie a delivery event to its invite.
	CustomArgInviteID       = "invite_id"
	CustomArgOrganizationID = "organization_id"
)

// message builds the v3 mail send request for batch b.
func (s *SendGrid) message(b Batch, now time.Time) (*sgmail.SGMailV3, error) {
	m := sgmail.NewV3Mail()
	m.SetFrom(sgmail.NewEmail(s.from.Name, s.from.Email))
	m.AddCategories(Category)
	// Click tracking would replace the activation link with a redirect
	// through the provider: the token would pass through another party's
	// logs, and a link that mail scanners open would look like a click.
	off := false
	m.SetTrackingSettings(sgmail.NewTrackingSettings().SetClickTracking(
		&sgmail.ClickTrackingSetting{Enable: &off, EnableText: &off}))

	var err error
	switch {
	case s.templateID != "":
		err = addTemplateData(m, s.templateID, b, now)
	case len(b.Recipients) == 1:
		err = addSingleContent(m, b, now)
	default:
		err = addSubstitutedContent(m, b, now)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// personalization addresses one recipient and tags it for delivery events.
func personalization(b Batch, r Recipient) *sgmail.Personalization {
	p := sgmail.NewPersonalization()
	p.AddTos(sgmail.NewEmail(oneLine(r.FirstName+" "+r.LastName), r.Email))
	p.SetCustomArg(CustomArgInviteID, r.InviteID)
	p.SetCustomArg(CustomArgOrganizationID, b.OrganizationID)
	return p
}

// addSingleContent renders the full message of a batch of one.
func addSingleContent(m *sgmail.SGMailV3, b Batch, now time.Time) error {
	r := b.Recipients[0]
	subject, text, html, err := Render(b, r, now)
	if err != nil {
		return err
	}
	m.Subject = subject
	m.AddContent(sgmail.NewContent("text/plain", text), sgmail.NewContent("text/html", html))
	m.AddPersonalizations(personalization(b, r))
	return nil
}

// addSubstitutedContent renders the shared message once, with placeholders
// that each personalization's substitutions fill in for its recipient.
func addSubstitutedContent(m *sgmail.SGMailV3, b Batch, now time.Time) error {
	lz, zone, err := b.language()
	if err != nil {
		return err
	}
	ph := newPlaceholders()
	c, err := render(lz, b, ph.text, ph.html)
	if err != nil {
		return err
	}
	m.Subject = c.Subject
	m.AddContent(sgmail.NewContent("text/plain", c.Text), sgmail.NewContent("text/html", c.HTML))
	w := newWords(lz, zone, now)
	for i, r := range b.Recipients {
		words, err := w.personal(r)
		if err != nil {
			return err
		}
		subs, err := ph.values(w, words)
		if err != nil {
			return recipientError(i, "The recipient's name is too long for one email.", err)
		}
		p := personalization(b, r)
		p.Substitutions = subs
		m.AddPersonalizations(p)
	}
	return nil
}

// addTemplateData hands each recipient's data to a SendGrid dynamic
// template. inviter_name already holds the fallback wording, so that a
// template reads the same as the embedded one without its own logic. The
// prepared phrases (subject, expires_on, expires_in_words) are in
// content_locale, the language the embedded emails would use; locale is
// the recipients' own, for a template with more languages than those.
func addTemplateData(m *sgmail.SGMailV3, templateID string, b Batch, now time.Time) error {
	lz, zone, err := b.language()
	if err != nil {
		return err
	}
	subject, err := subjectOf(lz, b)
	if err != nil {
		return err
	}
	inviter, err := inviterName(lz, b)
	if err != nil {
		return err
	}
	locale := b.Locale
	if locale == "" {
		locale = lz.locale
	}
	m.SetTemplateID(templateID)
	w := newWords(lz, zone, now)
	for _, r := range b.Recipients {
		p := personalization(b, r)
		words, err := w.personal(r)
		if err != nil {
			return err
		}
		data := map[string]any{
			"subject":           subject,
			"organization_name": oneLine(b.OrganizationName),
			"inviter_name":      inviter,
			"first_name":        oneLine(r.FirstName),
			"last_name":         oneLine(r.LastName),
			"email":             r.Email,
			"link":              r.Link,
			"locale":            locale,
			"content_locale":    lz.locale,
			"time_zone":         zone.String(),
			"expires_at":        r.ExpiresAt.UTC().Format(time.RFC3339),
			"expires_on":        words.ExpiresOn,
			"expires_in_words":  words.ExpiresIn,
		}
		for k, v := range data {
			p.SetDynamicTemplateData(k, v)
		}
		m.AddPersonalizations(p)
	}
	return nil
}
