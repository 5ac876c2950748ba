// Package mail sends invitation emails and reads the delivery events that
// the email provider reports back.
//
// A Sender delivers one Batch: invitations that share an organization and an
// inviter, each with its own activation link. Two senders exist: SendGrid for
// production and a log sender for development. Failed sends come back as
// *Error so that the job worker can tell a retry from a give-up.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"
)

// MaxBatch is the largest number of recipients in one Batch. It matches
// SendGrid's limit of 1,000 personalizations in one mail send request, so a
// batch always goes out in a single API call.
const MaxBatch = 1000

// ErrInvalidBatch marks a batch that no sender can ever deliver (no
// recipients, too many, a missing link…). Senders return it inside a
// permanent *Error so that the job is not retried.
var ErrInvalidBatch = errors.New("mail: invalid batch")

// Address is an email address with an optional display name.
type Address struct {
	Email string
	Name  string
}

// Recipient is one invitation in a batch: each gets its own link.
type Recipient struct {
	InviteID  string // UUID of the invite; comes back in delivery events
	UserID    string // UUID of the invited user
	Email     string
	FirstName string
	LastName  string
	Link      string // absolute activation URL, e.g. https://app.example/activate?token=…
	ExpiresAt time.Time
}

// Batch is one or more invitations that share an organization, an inviter
// and a language. A single invite is a batch of one; a bulk resend sends up
// to MaxBatch recipients per batch.
type Batch struct {
	OrganizationID   string
	OrganizationName string
	InviterName      string // may be empty: the email then names nobody
	// Locale is the recipients' language (BCP 47) and DefaultLocale the
	// organization's: the email is in the first language of the fallback
	// chain that has one (ResolveLocale).
	Locale        string
	DefaultLocale string
	// TimeZone is the organization's IANA time zone, in which the email
	// shows the expiry; empty is UTC.
	TimeZone   string
	Recipients []Recipient
}

// Receipt is what the provider answered for an accepted batch.
type Receipt struct {
	// MessageID is the provider's message id (SendGrid's X-Message-Id). It
	// prefixes the sg_message_id of every delivery event of the batch. It is
	// empty for the log sender.
	MessageID string
}

// Sender delivers invitation emails.
//
// Send either accepts the whole batch or none of it. A failure is an *Error
// that says whether a retry can help, except when ctx itself ends: then the
// error wraps ctx.Err() so that the caller can tell a shutdown from a
// provider failure.
type Sender interface {
	Send(ctx context.Context, b Batch) (Receipt, error)
}

// validate checks what every sender needs before it renders anything. It
// returns an error wrapping ErrInvalidBatch.
func (b Batch) validate() error {
	switch {
	case len(b.Recipients) == 0:
		return fmt.Errorf("%w: no recipients", ErrInvalidBatch)
	case len(b.Recipients) > MaxBatch:
		return fmt.Errorf("%w: %d recipients, at most %d allowed", ErrInvalidBatch, len(b.Recipients), MaxBatch)
	}
	if err := b.validateShared(); err != nil {
		return err
	}
	for i, r := range b.Recipients {
		if err := r.check(); err != nil {
			return fmt.Errorf("%w: recipient %d: %w", ErrInvalidBatch, i, err)
		}
	}
	return nil
}

// validateShared checks the fields that every recipient's message shares.
func (b Batch) validateShared() error {
	switch {
	case b.OrganizationID == "":
		return fmt.Errorf("%w: missing organization id", ErrInvalidBatch)
	case oneLine(b.OrganizationName) == "":
		return fmt.Errorf("%w: missing organization name", ErrInvalidBatch)
	}
	return nil
}

// check reports what the recipient's message would lack. The error never
// quotes the link: it holds the activation token.
func (r Recipient) check() error {
	switch {
	case r.InviteID == "":
		return errors.New("missing invite id")
	case !validAddress(r.Email):
		return fmt.Errorf("invite %s: invalid email address", r.InviteID)
	case r.ExpiresAt.IsZero():
		return fmt.Errorf("invite %s: missing expiry", r.InviteID)
	}
	if err := checkLink(r.Link); err != nil {
		return fmt.Errorf("invite %s: %w", r.InviteID, err)
	}
	return nil
}

// validAddress accepts a bare address such as ann@example.com, without a
// display name.
func validAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
