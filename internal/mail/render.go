package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	texttemplate "text/template"
	"time"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The layouts are parsed once at start-up; a broken layout is a bug in the
// binary, so parsing panics instead of failing the first send. Their words
// come from the message files (locale.go).
var (
	textTemplate = texttemplate.Must(texttemplate.New("invite.txt.tmpl").Option("missingkey=error").ParseFS(templateFS, "templates/invite.txt.tmpl"))
	htmlTemplate = htmltemplate.Must(htmltemplate.New("invite.html.tmpl").Option("missingkey=error").ParseFS(templateFS, "templates/invite.html.tmpl"))
)

// personal holds the parts of a message that differ between the recipients
// of a batch. Render fills it with real values; a SendGrid batch fills it
// with substitution placeholders and lets SendGrid put the values in.
type personal struct {
	Greeting  string // "Hello Ann," or "Hello,"
	LinkURL   string // the link as the target of a button (HTML only)
	LinkText  string // the link as visible text
	ExpiresOn string // "Monday, 30 November 2026 at 14:05 (UTC)"
	ExpiresIn string // "in 7 days"
}

// sentences are the translated paragraphs of a body: strings in the text
// body, htmltemplate.HTML (escaped by the message's own template) in the HTML body.
type sentences[T string | htmltemplate.HTML] struct {
	Invited      T
	Activate     T
	Button       T
	LinkFallback T
	Expires      T
	SafeToOpen   T
	Ignore       T
}

// view is what a body template sees.
type view[T string | htmltemplate.HTML] struct {
	personal
	sentences[T]
	Lang    string
	Subject string
}

// content is one rendered message.
type content struct {
	Subject string
	Text    string
	HTML    string
}

// Render returns the subject and the plain-text and HTML bodies of the
// invitation email for recipient r of batch b, in the batch's language,
// with the expiry in the organization's time zone and phrased relative to
// now. Every user-supplied string is escaped in the HTML body. It fails
// with an error wrapping ErrInvalidBatch when the batch or the recipient
// lacks what the email needs.
func Render(b Batch, r Recipient, now time.Time) (subject, text, html string, err error) {
	if err := b.validateShared(); err != nil {
		return "", "", "", err
	}
	if err := r.check(); err != nil {
		return "", "", "", fmt.Errorf("%w: %w", ErrInvalidBatch, err)
	}
	lz, zone, err := b.language()
	if err != nil {
		return "", "", "", err
	}
	p, err := personalize(lz, zone, r, now)
	if err != nil {
		return "", "", "", err
	}
	c, err := render(lz, b, p, p)
	if err != nil {
		return "", "", "", err
	}
	return c.Subject, c.Text, c.HTML, nil
}

// language is the batch's language, resolved through the fallback chain,
// and its organization's time zone.
func (b Batch) language() (localizer, *time.Location, error) {
	zone, err := LoadZone(b.TimeZone)
	if err != nil {
		return localizer{}, nil, fmt.Errorf("%w: %w", ErrInvalidBatch, err)
	}
	return localizerFor(ResolveLocale(b.Locale, b.DefaultLocale)), zone, nil
}

// personalize computes the per-recipient parts of the message.
func personalize(lz localizer, zone *time.Location, r Recipient, now time.Time) (personal, error) {
	return newWords(lz, zone, now).personal(r)
}

// render fills the layouts with the shared parts of batch b and with the
// per-recipient parts given separately for the text and the HTML body.
func render(lz localizer, b Batch, text, html personal) (content, error) {
	subject, err := subjectOf(lz, b)
	if err != nil {
		return content{}, err
	}
	org, inviter := oneLine(b.OrganizationName), oneLine(b.InviterName)

	tv := view[string]{personal: text, Lang: lz.locale, Subject: subject}
	if tv.sentences, err = bodySentences(org, inviter, text, "activate_text", lz.text); err != nil {
		return content{}, err
	}
	textBody, err := execute(textTemplate, tv)
	if err != nil {
		return content{}, err
	}

	// The organization's name is bold in the HTML body; html/template
	// escapes it here and leaves the markup around it alone.
	boldOrg := htmltemplate.HTML("<strong>" + htmltemplate.HTMLEscapeString(org) + "</strong>") //nolint:gosec // escaped here
	hv := view[htmltemplate.HTML]{personal: html, Lang: lz.locale, Subject: subject}
	if hv.sentences, err = bodySentences(boldOrg, inviter, html, "activate_html", lz.html); err != nil {
		return content{}, err
	}
	htmlBody, err := execute(htmlTemplate, hv)
	if err != nil {
		return content{}, err
	}
	return content{Subject: subject, Text: textBody, HTML: htmlBody}, nil
}

// bodySentences translates the paragraphs of a body with msg, which is
// the localizer's text or html method; the text and the HTML body word the
// instruction above the link differently (activate).
func bodySentences[T string | htmltemplate.HTML](org any, inviter string, p personal, activate string,
	msg func(id string, data map[string]any) (T, error)) (sentences[T], error) {
	var (
		s    sentences[T]
		errs = make([]error, 0, 7)
		get  = func(dst *T, id string, data map[string]any) {
			var err error
			*dst, err = msg(id, data)
			errs = append(errs, err)
		}
	)
	if inviter != "" {
		get(&s.Invited, "invited", map[string]any{"Inviter": inviter, "Organization": org})
	} else {
		get(&s.Invited, "invited_no_inviter", map[string]any{"Organization": org})
	}
	get(&s.Activate, activate, nil)
	get(&s.Button, "button", nil)
	get(&s.LinkFallback, "link_fallback", nil)
	get(&s.Expires, "expires", map[string]any{"ExpiresOn": p.ExpiresOn, "ExpiresIn": p.ExpiresIn})
	get(&s.SafeToOpen, "safe_to_open", nil)
	get(&s.Ignore, "ignore", nil)
	for _, err := range errs {
		if err != nil {
			return sentences[T]{}, err
		}
	}
	return s, nil
}

// subjectOf is the subject line, the same for every recipient of b: it
// names the inviter when the batch does.
func subjectOf(lz localizer, b Batch) (string, error) {
	org := oneLine(b.OrganizationName)
	if inviter := oneLine(b.InviterName); inviter != "" {
		return lz.text("subject", map[string]any{"Inviter": inviter, "Organization": org})
	}
	return lz.text("subject_no_inviter", map[string]any{"Organization": org})
}

// inviterName names the inviter for a SendGrid dynamic template, with the
// language's wording for "your administrator" when the batch names nobody.
func inviterName(lz localizer, b Batch) (string, error) {
	if name := oneLine(b.InviterName); name != "" {
		return name, nil
	}
	return lz.text("inviter_fallback", nil)
}

// executor is what text/template and html/template templates have in common.
type executor interface {
	Execute(w io.Writer, data any) error
}

func execute(t executor, data any) (string, error) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("mail: render: %w", err)
	}
	return buf.String(), nil
}
