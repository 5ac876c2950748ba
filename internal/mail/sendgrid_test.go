package mail_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
)

var from = mail.Address{Email: "invites@learn.example", Name: "Learning Platform"}

func newSendGrid(t *testing.T, fake *sendgridtest.Server, modify ...func(*mail.SendGridConfig)) *mail.SendGrid {
	t.Helper()
	cfg := mail.SendGridConfig{APIKey: fake.APIKey, BaseURL: fake.URL, From: from, Timeout: 2 * time.Second}
	for _, m := range modify {
		m(&cfg)
	}
	sg, err := mail.NewSendGrid(cfg)
	require.NoError(t, err)
	return sg
}

func batchOf(n int, now time.Time) mail.Batch {
	b := mail.Batch{
		OrganizationID:   "0b7e4c8a-3f55-4a8e-9d0e-5d6b1f0e2c11",
		OrganizationName: "Northwind Academy",
		InviterName:      "Grace Hopper",
	}
	for i := range n {
		b.Recipients = append(b.Recipients, mail.Recipient{
			InviteID:  fmt.Sprintf("6f1c2b9e-8a4d-4c3b-9e2f-%012d", i),
			UserID:    fmt.Sprintf("a4d2e1f0-5b6c-4d7e-8f90-%012d", i),
			Email:     fmt.Sprintf("person%d@example.com", i),
			FirstName: fmt.Sprintf("Person%d", i),
			LastName:  "Lovelace",
			Link:      fmt.Sprintf("https://app.example/activate?token=tok%d", i),
			ExpiresAt: now.Add(7 * 24 * time.Hour),
		})
	}
	return b
}

func TestSendGridSendsOneInvite(t *testing.T) {
	t.Parallel()
	fake := sendgridtest.NewServer(t)
	sg := newSendGrid(t, fake)
	now := time.Now()
	b := batchOf(1, now)

	receipt, err := sg.Send(t.Context(), b)
	require.NoError(t, err)

	msgs := fake.Messages()
	require.Len(t, msgs, 1)
	msg := msgs[0]
	require.Equal(t, msg.ID, receipt.MessageID)

	req := msg.Request
	require.Equal(t, from.Email, req.From.Address)
	require.Equal(t, from.Name, req.From.Name)
	require.Equal(t, []string{"invite"}, req.Categories)
	require.Empty(t, req.TemplateID)
	require.Len(t, req.Content, 2)
	require.Equal(t, "text/plain", req.Content[0].Type)
	require.Equal(t, "text/html", req.Content[1].Type)
	require.NotNil(t, req.TrackingSettings)
	require.False(t, *req.TrackingSettings.ClickTracking.Enable, "click tracking would rewrite the activation link")

	require.Len(t, req.Personalizations, 1)
	require.Equal(t, "Person0 Lovelace", req.Personalizations[0].To[0].Name)
	p := msg.Personalizations[0]
	require.Equal(t, "person0@example.com", p.Email)
	require.Equal(t, map[string]string{
		"invite_id":       b.Recipients[0].InviteID,
		"organization_id": b.OrganizationID,
	}, p.CustomArgs)

	subject, text, html, err := mail.Render(b, b.Recipients[0], now)
	require.NoError(t, err)
	require.Equal(t, subject, p.Subject)
	require.Equal(t, text, p.Text)
	require.Equal(t, html, p.HTML)
}

func TestSendGridBatchShowsEachRecipientTheirOwnMessage(t *testing.T) {
	t.Parallel()
	for _, locale := range mail.Locales() {
		t.Run(locale, func(t *testing.T) {
			t.Parallel()
			fake := sendgridtest.NewServer(t)
			sg := newSendGrid(t, fake)
			now := time.Now()

			b := batchOf(4, now)
			b.Locale, b.TimeZone = locale, "Asia/Kolkata"
			b.OrganizationName = `O'Brien & "Co" <b>`
			b.InviterName = ""
			b.Recipients[0].FirstName = `<script>alert(1)</script>`
			b.Recipients[0].Link = `https://app.example/activate?token=a+b&x="q"<y>`
			b.Recipients[1].FirstName = ""
			b.Recipients[1].ExpiresAt = now.Add(23 * time.Hour)
			b.Recipients[2].FirstName = `O'Brien & "Co"`
			b.Recipients[2].ExpiresAt = now.Add(24 * time.Hour)
			b.Recipients[3].FirstName = "Zoë"

			receipt, err := sg.Send(t.Context(), b)
			require.NoError(t, err)
			require.Equal(t, 1, fake.Requests(), "one API call for the whole batch")
			msg := fake.Messages()[0]
			require.Equal(t, msg.ID, receipt.MessageID)

			shared := msg.Request.Content[0].Value + msg.Request.Content[1].Value
			for _, r := range b.Recipients {
				require.NotContains(t, shared, r.Link, "links travel only in substitutions")
			}

			require.Len(t, msg.Personalizations, len(b.Recipients))
			for i, r := range b.Recipients {
				p := msg.Personalizations[i]
				require.Equal(t, r.Email, p.Email)
				require.Equal(t, r.InviteID, p.CustomArgs["invite_id"])
				require.Equal(t, b.OrganizationID, p.CustomArgs["organization_id"])

				subject, text, html, err := mail.Render(b, r, now)
				require.NoError(t, err)
				require.Equal(t, subject, p.Subject, "recipient %d", i)
				require.Equal(t, text, p.Text, "recipient %d", i)
				require.Equal(t, html, p.HTML, "recipient %d", i)
			}
		})
	}
}

func TestSendGridSendsAFullBatchInOneRequest(t *testing.T) {
	t.Parallel()
	fake := sendgridtest.NewServer(t)
	// A thousand recipients are a large request to build and read; under
	// the race detector on a busy machine that takes more than the 2 s
	// the other tests allow, and the time is not what this test is about.
	sg := newSendGrid(t, fake, func(c *mail.SendGridConfig) { c.Timeout = time.Minute })

	_, err := sg.Send(t.Context(), batchOf(mail.MaxBatch, time.Now()))
	require.NoError(t, err)
	require.Equal(t, 1, fake.Requests())
	require.Len(t, fake.Messages()[0].Personalizations, mail.MaxBatch)
}

func TestSendGridDynamicTemplate(t *testing.T) {
	t.Parallel()
	fake := sendgridtest.NewServer(t)
	sg := newSendGrid(t, fake, func(c *mail.SendGridConfig) { c.TemplateID = "d-0123456789abcdef" })
	now := time.Now()
	b := batchOf(2, now)
	b.InviterName = ""

	_, err := sg.Send(t.Context(), b)
	require.NoError(t, err)

	req := fake.Messages()[0].Request
	require.Equal(t, "d-0123456789abcdef", req.TemplateID)
	require.Empty(t, req.Content)
	require.Empty(t, req.Subject)
	require.Equal(t, []string{"invite"}, req.Categories)
	require.Len(t, req.Personalizations, 2)
	for i, r := range b.Recipients {
		p := req.Personalizations[i]
		require.Equal(t, r.InviteID, p.CustomArgs["invite_id"])
		require.Equal(t, map[string]any{
			"subject":           "You're invited to join Northwind Academy",
			"organization_name": "Northwind Academy",
			"inviter_name":      "your administrator",
			"first_name":        r.FirstName,
			"last_name":         r.LastName,
			"email":             r.Email,
			"link":              r.Link,
			"expires_at":        r.ExpiresAt.UTC().Format(time.RFC3339),
			"expires_on":        r.ExpiresAt.UTC().Format("Monday, 2 January 2006 at 15:04 (UTC)"),
			"expires_in_words":  "in 7 days",
			"locale":            "en",
			"content_locale":    "en",
			"time_zone":         "UTC",
		}, p.DynamicTemplateData)
		require.Empty(t, p.Substitutions)
	}
}

// A dynamic template gets the recipients' own locale, which it may know
// even where the embedded emails fall back, with the prepared phrases in
// the language the embedded email would use.
func TestSendGridDynamicTemplateCarriesTheLocale(t *testing.T) {
	t.Parallel()
	fake := sendgridtest.NewServer(t)
	sg := newSendGrid(t, fake, func(c *mail.SendGridConfig) { c.TemplateID = "d-0123456789abcdef" })
	b := batchOf(1, time.Now())
	b.Locale, b.DefaultLocale, b.TimeZone = "it-CH", "de", "Europe/Zurich"

	_, err := sg.Send(t.Context(), b)
	require.NoError(t, err)
	data := fake.Messages()[0].Request.Personalizations[0].DynamicTemplateData
	require.Equal(t, "it-CH", data["locale"])
	require.Equal(t, "de", data["content_locale"], "Italian has no embedded email: the organization's default")
	require.Equal(t, "Europe/Zurich", data["time_zone"])
	require.Equal(t, "Grace Hopper hat Sie zu Northwind Academy eingeladen", data["subject"])
	require.Regexp(t, `^(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), \d{1,2}\. `+
		`(Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember) \d{4} um \d\d:\d\d Uhr \(Europe/Zurich\)$`,
		data["expires_on"])
	require.Equal(t, "in 7 Tagen", data["expires_in_words"])
}
