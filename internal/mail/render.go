package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"time"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates are parsed once at start-up; a broken template is a bug in
// the binary, so parsing panics instead of failing the first send.
var (
	subjectTemplate = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/subject.txt.tmpl"))
	textTemplate    = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/invite.txt.tmpl"))
	htmlTemplate    = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/invite.html.tmpl"))
)

// personal holds the parts of a message that differ between the recipients
// of a batch. Render fills it with real values; a SendGrid batch fills it
// with substitution placeholders and lets SendGrid put the values in.
type personal struct {
	Greeting  string // "Hello Ann," or "Hello,"
	LinkURL   string // the link as the target of a button (HTML only)
	LinkText  string // the link as visible text
	ExpiresOn string // "Monday, 30 November 2026 at 14:05 UTC"
	ExpiresIn string // "in 7 days"
}

// view is what the body templates see.
type view struct {
	personal
	Subject          string
	OrganizationName string
	Inviter          string
}

// content is one rendered message.
type content struct {
	Subject string
	Text    string
	HTML    string
}

// Render returns the subject and the plain-text and HTML bodies of the
// invitation email for recipient r of batch b, with the expiry phrased
// relative to now. Every user-supplied string is escaped in the HTML body.
// It fails with an error wrapping ErrInvalidBatch when the batch or the
// recipient lacks what the email needs.
func Render(b Batch, r Recipient, now time.Time) (subject, text, html string, err error) {
	if err := b.validateShared(); err != nil {
		return "", "", "", err
	}
	if err := r.check(); err != nil {
		return "", "", "", fmt.Errorf("%w: %w", ErrInvalidBatch, err)
	}
	p := personalize(r, now)
	c, err := render(b, p, p)
	if err != nil {
		return "", "", "", err
	}
	return c.Subject, c.Text, c.HTML, nil
}

// personalize computes the per-recipient parts of the message.
func personalize(r Recipient, now time.Time) personal {
	greeting := "Hello,"
	if first := oneLine(r.FirstName); first != "" {
		greeting = "Hello " + first + ","
	}
	return personal{
		Greeting:  greeting,
		LinkURL:   r.Link,
		LinkText:  r.Link,
		ExpiresOn: expiresOn(r.ExpiresAt),
		ExpiresIn: expiresIn(r.ExpiresAt.Sub(now)),
	}
}

// render fills the templates with the shared parts of batch b and with the
// per-recipient parts given separately for the text and the HTML body.
func render(b Batch, text, html personal) (content, error) {
	shared := view{
		OrganizationName: oneLine(b.OrganizationName),
		Inviter:          inviter(b),
	}
	subject, err := subjectOf(b)
	if err != nil {
		return content{}, err
	}
	shared.Subject = subject

	tv := shared
	tv.personal = text
	textBody, err := execute(textTemplate, tv)
	if err != nil {
		return content{}, err
	}

	hv := shared
	hv.personal = html
	htmlBody, err := execute(htmlTemplate, hv)
	if err != nil {
		return content{}, err
	}
	return content{Subject: subject, Text: textBody, HTML: htmlBody}, nil
}

// subjectOf is the subject line, the same for every recipient of b.
func subjectOf(b Batch) (string, error) {
	subject, err := execute(subjectTemplate, view{OrganizationName: oneLine(b.OrganizationName)})
	return strings.TrimSpace(subject), err
}

func inviter(b Batch) string {
	if name := oneLine(b.InviterName); name != "" {
		return name
	}
	return defaultInviter
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
