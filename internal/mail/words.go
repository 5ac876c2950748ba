package mail

import (
	htmltemplate "html/template"
	"time"
)

// words computes the per-recipient parts of one batch's messages. The
// recipients of a coalesced call mostly share their expiry's wording (the
// layouts show minutes, the time left is rounded to days) and often their
// greeting, so each distinct value is worded, and escaped, once per batch
// rather than once per recipient: a call of a hundred recipients used to
// run five message lookups and five template executions for each.
type words struct {
	lz   localizer
	zone *time.Location
	now  time.Time

	layouts    bool // dateLayout and timeLayout are read
	dateLayout string
	timeLayout string

	greetings map[string]string  // first name → greeting
	expiresOn map[string]string  // the expiry as the layouts show it → its wording
	expiresIn map[inWords]string // the rounded time left → its wording
	escaped   map[escKey]string  // a value in an HTML context → escaped
}

// inWords is the message that words a time left, and its count.
type inWords struct {
	id string
	n  int
}

// escKey is a value in one of the HTML contexts of substitution.go.
type escKey struct {
	ctx   *htmltemplate.Template
	value string
}

func newWords(lz localizer, zone *time.Location, now time.Time) *words {
	return &words{lz: lz, zone: zone, now: now, greetings: map[string]string{}, expiresOn: map[string]string{},
		expiresIn: map[inWords]string{}, escaped: map[escKey]string{}}
}

// personal computes the per-recipient parts of r's message.
func (w *words) personal(r Recipient) (personal, error) {
	var (
		p   = personal{LinkURL: r.Link, LinkText: r.Link}
		err error
	)
	if p.Greeting, err = w.greeting(oneLine(r.FirstName)); err != nil {
		return personal{}, err
	}
	if p.ExpiresOn, err = w.on(r.ExpiresAt); err != nil {
		return personal{}, err
	}
	if p.ExpiresIn, err = w.in(r.ExpiresAt.Sub(w.now)); err != nil {
		return personal{}, err
	}
	return p, nil
}

func (w *words) greeting(first string) (string, error) {
	return remember(w.greetings, first, func() (string, error) {
		if first == "" {
			return w.lz.text("greeting_no_name", nil)
		}
		return w.lz.text("greeting", map[string]any{"Name": first})
	})
}

// on is lz.expiresOn of t. Two times that the language's layouts show
// alike are worded alike (monday.Format translates the Go layout's output),
// so that output is the key.
func (w *words) on(t time.Time) (string, error) {
	if !w.layouts {
		var err error
		if w.dateLayout, err = w.lz.text("date_layout", nil); err != nil {
			return "", err
		}
		if w.timeLayout, err = w.lz.text("time_layout", nil); err != nil {
			return "", err
		}
		w.layouts = true
	}
	local := t.In(w.zone)
	key := local.Format(w.dateLayout) + "\x00" + local.Format(w.timeLayout)
	return remember(w.expiresOn, key, func() (string, error) { return w.lz.expiresOn(t, w.zone) })
}

// in is lz.expiresIn of d.
func (w *words) in(d time.Duration) (string, error) {
	k := inWords{}
	k.id, k.n = expiresInMessage(d)
	return remember(w.expiresIn, k, func() (string, error) { return w.lz.expiresInWords(k.id, k.n) })
}

// escape is value escaped by ctx, one of substitution.go's contexts.
func (w *words) escape(ctx *htmltemplate.Template, value string) (string, error) {
	return remember(w.escaped, escKey{ctx, value}, func() (string, error) { return execute(ctx, value) })
}

// remember is m[k], computed and kept on first use; a failure is not kept.
func remember[K comparable](m map[K]string, k K, compute func() (string, error)) (string, error) {
	if s, ok := m[k]; ok {
		return s, nil
	}
	s, err := compute()
	if err == nil {
		m[k] = s
	}
	return s, err
}
