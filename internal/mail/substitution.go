package mail

import (
	"crypto/rand"
	"fmt"
	htmltemplate "html/template"
	"strings"
)

// maxSubstitutionBytes is SendGrid's limit on the keys and values of the
// substitutions of one personalization.
const maxSubstitutionBytes = 10000

// A batch of several recipients goes to SendGrid as one shared body with a
// placeholder wherever the recipients differ, and one set of substitutions
// per personalization. The HTML body needs its values escaped for the
// context they land in and the text body needs them raw, so each part gets a
// key per body, and the link gets one for the href and one for the visible
// text.
//
// Every value is escaped by html/template itself, in the same context as in
// the invitation template, so that a recipient of a batch sees exactly what
// Render would produce for them alone.

// The escaping contexts of the per-recipient parts of the HTML template.
const (
	textContextPrefix, textContextSuffix = "<p>", "</p>"
	hrefContextPrefix, hrefContextSuffix = `<a href="`, `">`
)

var (
	textContext = htmltemplate.Must(htmltemplate.New("text").Parse(textContextPrefix + "{{.}}" + textContextSuffix))
	hrefContext = htmltemplate.Must(htmltemplate.New("href").Parse(hrefContextPrefix + "{{.}}" + hrefContextSuffix))
	// linkContext is hrefContext followed by the text of the link (a text
	// context, as textContext's): a recipient's link is in both, and one
	// execution escapes it for both.
	linkContext = htmltemplate.Must(htmltemplate.New("link").Parse(hrefContextPrefix + "{{.}}" + hrefContextSuffix + "{{.}}" + linkContextSuffix))
)

const linkContextSuffix = "</a>"

// escapeLink is link escaped by hrefContext and by textContext. The
// escaped target cannot hold the quote that ends the attribute, nor the
// text a "<", so the first hrefContextSuffix and the last "</a>" are the
// template's own.
func escapeLink(link string) (href, text string, err error) {
	s, err := execute(linkContext, link)
	if err != nil {
		return "", "", err
	}
	href, text, ok := strings.Cut(strings.TrimPrefix(s, hrefContextPrefix), hrefContextSuffix)
	if !ok {
		return "", "", fmt.Errorf("%w: the escaped link lost its end", ErrInvalidBatch)
	}
	return href, strings.TrimSuffix(text, linkContextSuffix), nil
}

// placeholders are the substitution keys of one batch for each body.
type placeholders struct {
	text personal
	html personal
}

// newPlaceholders makes keys unique to one batch: a random part keeps an
// organization named like a key from being rewritten by SendGrid. The keys
// use only letters, digits, "-" and "_", which no template context escapes,
// so they reach the rendered body unchanged.
func newPlaceholders() placeholders {
	nonce := rand.Text()[:12] // 60 random bits keep the keys short
	key := func(name string) string { return "-" + name + "_" + nonce + "-" }
	return placeholders{
		text: personal{
			Greeting:  key("greeting_text"),
			LinkText:  key("link_text"),
			ExpiresOn: key("expires_on_text"),
			ExpiresIn: key("expires_in_text"),
		},
		html: personal{
			Greeting:  key("greeting_html"),
			LinkURL:   key("link_href"),
			LinkText:  key("link_html"),
			ExpiresOn: key("expires_on_html"),
			ExpiresIn: key("expires_in_html"),
		},
	}
}

// htmlPart is a value of the HTML body, escaped in the context of the
// template ctx, which wraps it in prefix and suffix.
type htmlPart struct {
	key, value     string
	ctx            *htmltemplate.Template
	prefix, suffix string
}

// values maps every key to what recipient p would see in its place,
// escaping through w.
func (ph placeholders) values(w *words, p personal) (map[string]string, error) {
	m := map[string]string{
		ph.text.Greeting:  p.Greeting,
		ph.text.LinkText:  p.LinkText,
		ph.text.ExpiresOn: p.ExpiresOn,
		ph.text.ExpiresIn: p.ExpiresIn,
	}
	htmlParts := []htmlPart{
		{ph.html.Greeting, p.Greeting, textContext, textContextPrefix, textContextSuffix},
		{ph.html.ExpiresOn, p.ExpiresOn, textContext, textContextPrefix, textContextSuffix},
		{ph.html.ExpiresIn, p.ExpiresIn, textContext, textContextPrefix, textContextSuffix},
	}
	// The link is unique to the recipient, so not worth remembering, and
	// in two contexts that one execution escapes together.
	href, text, err := escapeLink(p.LinkURL)
	if err != nil {
		return nil, err
	}
	m[ph.html.LinkURL] = href
	if p.LinkText == p.LinkURL {
		m[ph.html.LinkText] = text
	} else {
		htmlParts = append(htmlParts, htmlPart{ph.html.LinkText, p.LinkText, textContext, textContextPrefix, textContextSuffix})
	}
	size := 0
	for _, part := range htmlParts {
		escaped, err := w.escape(part.ctx, part.value)
		if err != nil {
			return nil, err
		}
		m[part.key] = strings.TrimSuffix(strings.TrimPrefix(escaped, part.prefix), part.suffix)
	}
	for k, v := range m {
		size += len(k) + len(v)
	}
	if size > maxSubstitutionBytes {
		return nil, fmt.Errorf("%w: personal parts take %d bytes, more than SendGrid's %d", ErrInvalidBatch, size, maxSubstitutionBytes)
	}
	return m, nil
}
