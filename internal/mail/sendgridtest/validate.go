package sendgridtest

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"net/mail"
	"strings"

	sgmail "github.com/sendgrid/sendgrid-go/helpers/mail"
)

// SendGrid's documented limits on one mail send request.
const (
	maxPersonalizations  = 1000
	maxRecipients        = 1000
	maxSubstitutionBytes = 10000
)

// checkRequest checks what SendGrid checks before it looks at the message:
// route, method, credentials, size and media type.
func checkRequest(r *http.Request, apiKey string, body []byte) (int, []apiError) {
	if r.URL.Path != SendPath {
		return http.StatusNotFound, []apiError{newAPIError("", "resource not found")}
	}
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, []apiError{newAPIError("", "method not allowed")}
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return http.StatusUnauthorized, []apiError{newAPIError("", "authorization required")}
	}
	if subtle.ConstantTimeCompare([]byte(auth), []byte("Bearer "+apiKey)) != 1 {
		return http.StatusUnauthorized, []apiError{newAPIError("", "The provided authorization grant is invalid, expired, or revoked")}
	}
	if len(body) > maxBodyBytes {
		return http.StatusRequestEntityTooLarge, []apiError{newAPIError("", "The request body is too large; it must be less than 30MB.")}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return http.StatusBadRequest, []apiError{newAPIError("", "Content-Type should be application/json.")}
	}
	return 0, nil
}

// validate checks the shape of a parsed mail send request and lists every
// problem, as SendGrid does.
func validate(m *sgmail.SGMailV3) []apiError {
	var errs []apiError
	add := func(field, format string, args ...any) {
		errs = append(errs, newAPIError(field, fmt.Sprintf(format, args...)))
	}

	switch {
	case m.From == nil || m.From.Address == "":
		add("from", "The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.")
	case !validAddress(m.From.Address):
		add("from.email", "The from email does not contain a valid address.")
	}

	switch n := len(m.Personalizations); {
	case n == 0:
		add("personalizations", "The personalizations field is required and must have at least one personalization.")
	case n > maxPersonalizations:
		add("personalizations", "You may not have more than %d personalizations per API request. You may need to deliver your message in multiple requests.", maxPersonalizations)
	}
	recipients, allHaveSubject := 0, true
	for i, p := range m.Personalizations {
		if p == nil || len(p.To) == 0 {
			add(fmt.Sprintf("personalizations.%d.to", i), "The to array is required for all personalization objects, and must have at least one email object with a valid email address.")
			continue
		}
		for j, to := range p.To {
			if to == nil || !validAddress(to.Address) {
				add(fmt.Sprintf("personalizations.%d.to.%d.email", i, j), "Does not contain a valid address.")
			}
		}
		recipients += len(p.To) + len(p.CC) + len(p.BCC)
		allHaveSubject = allHaveSubject && p.Subject != ""
		size := 0
		for k, v := range p.Substitutions {
			size += len(k) + len(v)
		}
		if size > maxSubstitutionBytes {
			add(fmt.Sprintf("personalizations.%d.substitutions", i), "The total size of your substitutions must not exceed %d bytes per personalization object.", maxSubstitutionBytes)
		}
	}
	if recipients > maxRecipients {
		add("personalizations", "The total number of recipients must be no more than %d.", maxRecipients)
	}

	if m.TemplateID != "" {
		return errs
	}
	if m.Subject == "" && !allHaveSubject {
		add("subject", "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.")
	}
	if len(m.Content) == 0 {
		add("content", "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.")
	}
	for i, c := range m.Content {
		switch {
		case c == nil || c.Type == "":
			add(fmt.Sprintf("content.%d.type", i), "The content type cannot be blank.")
		case c.Value == "":
			add(fmt.Sprintf("content.%d.value", i), "The content value must be a string at least one character in length.")
		case i > 0 && strings.EqualFold(c.Type, "text/plain"):
			add(fmt.Sprintf("content.%d.type", i), "If present, text/plain and text/html may only be provided in order of text/plain first and then text/html.")
		}
	}
	return errs
}

// validAddress accepts a bare address such as ann@example.com.
func validAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
