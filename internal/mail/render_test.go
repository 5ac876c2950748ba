package mail

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// renderNow is the instant every template test renders at; expiry dates are
// set relative to it so that the phrases are stable.
var renderNow = time.Date(2026, time.November, 23, 14, 5, 0, 0, time.UTC)

func testBatch(recipients ...Recipient) Batch {
	return Batch{
		OrganizationID:   "0b7e4c8a-3f55-4a8e-9d0e-5d6b1f0e2c11",
		OrganizationName: "Northwind Academy",
		InviterName:      "Grace Hopper",
		Recipients:       recipients,
	}
}

func testRecipient(n int) Recipient {
	return Recipient{
		InviteID:  "6f1c2b9e-8a4d-4c3b-9e2f-" + []string{"000000000001", "000000000002", "000000000003"}[n%3],
		UserID:    "a4d2e1f0-5b6c-4d7e-8f90-1a2b3c4d5e6f",
		Email:     []string{"ann@example.com", "bob@example.org", "chloe@example.net"}[n%3],
		FirstName: []string{"Ann", "Bob", "Chloé"}[n%3],
		LastName:  "Lovelace",
		Link:      "https://app.example/activate?token=tok" + []string{"AAA", "BBB", "CCC"}[n%3],
		ExpiresAt: renderNow.Add(7 * 24 * time.Hour),
	}
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()

	hostile := testRecipient(0)
	hostile.FirstName = `<script>alert(1)</script>`
	hostile.Link = "https://app.example/activate?token=abc&next=%2Fhome"
	hostileBatch := testBatch(hostile)
	hostileBatch.OrganizationName = `O'Brien & "Co"`
	hostileBatch.InviterName = `<img src=x onerror=alert(1)>`

	anonymous := testRecipient(1)
	anonymous.FirstName = "  "
	anonymous.ExpiresAt = renderNow.Add(23 * time.Hour)
	anonymousBatch := testBatch(anonymous)
	anonymousBatch.InviterName = ""

	tests := []struct {
		name string
		b    Batch
	}{
		{name: "invite", b: testBatch(testRecipient(0))},
		{name: "no_names", b: anonymousBatch},
		{name: "hostile_names", b: hostileBatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			subject, text, html, err := Render(tt.b, tt.b.Recipients[0], renderNow)
			require.NoError(t, err)
			checkGolden(t, tt.name+".txt", "Subject: "+subject+"\n\n"+text)
			checkGolden(t, tt.name+".html", html)
		})
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/mail -run Golden -update to create it")
	require.Equal(t, string(want), got)
}

func TestRenderEscapesUserInput(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name     string
		input    string
		rawInSub bool // the subject is plain text, so it keeps the name as typed
	}{
		{name: "script tag", input: `<script>alert(1)</script>`},
		{name: "quotes and ampersand", input: `O'Brien & "Co"`},
		{name: "attribute breakout", input: `x" onmouseover="alert(1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := testRecipient(0)
			r.FirstName = tt.input
			b := testBatch(r)
			b.OrganizationName = tt.input
			b.InviterName = tt.input

			subject, text, html, err := Render(b, r, renderNow)
			require.NoError(t, err)
			require.NotContains(t, html, tt.input)
			require.Contains(t, html, htmlEscaped(tt.input))
			require.Contains(t, subject, tt.input)
			require.Contains(t, text, "Hello "+tt.input+",")
		})
	}
}

// htmlEscaped spells out the escaping html/template applies in text
// context, independently of the code under test.
func htmlEscaped(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;").Replace(s)
}

func TestRenderPhrases(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		expiresAt time.Time
		zone      string
		want      string
	}{
		{name: "a week", expiresAt: renderNow.Add(7 * 24 * time.Hour), want: "This link expires in 7 days, on Monday, 30 November 2026 at 14:05 (UTC)."},
		{name: "a week less the seconds the job waited", expiresAt: renderNow.Add(7*24*time.Hour - 42*time.Second), want: "expires in 7 days,"},
		{name: "one day", expiresAt: renderNow.Add(24 * time.Hour), want: "in 1 day, on Tuesday, 24 November 2026 at 14:05 (UTC)."},
		{name: "23 hours", expiresAt: renderNow.Add(23 * time.Hour), want: "expires in 23 hours,"},
		{name: "a time of another zone is shown in the organization's", expiresAt: renderNow.Add(48 * time.Hour).In(time.FixedZone("CET", 3600)),
			want: "Wednesday, 25 November 2026 at 14:05 (UTC)."},
		{name: "the organization's time zone", expiresAt: renderNow.Add(7 * 24 * time.Hour), zone: "Pacific/Auckland",
			want: "on Tuesday, 1 December 2026 at 03:05 (Pacific/Auckland)."},
		{name: "a zone name with an underscore", expiresAt: renderNow.Add(7 * 24 * time.Hour), zone: "America/Sao_Paulo",
			want: "on Monday, 30 November 2026 at 11:05 (America/Sao Paulo)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := testRecipient(0)
			r.ExpiresAt = tt.expiresAt
			b := testBatch(r)
			b.TimeZone = tt.zone
			_, text, html, err := Render(b, r, renderNow)
			require.NoError(t, err)
			require.Contains(t, text, tt.want)
			require.Contains(t, html, tt.want)
		})
	}
}

func TestRenderRejectsIncompleteInput(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		modify func(b *Batch, r *Recipient)
	}{
		{name: "no organization name", modify: func(b *Batch, _ *Recipient) { b.OrganizationName = " \n" }},
		{name: "no organization id", modify: func(b *Batch, _ *Recipient) { b.OrganizationID = "" }},
		{name: "no invite id", modify: func(_ *Batch, r *Recipient) { r.InviteID = "" }},
		{name: "bad email", modify: func(_ *Batch, r *Recipient) { r.Email = "ann at example.com" }},
		{name: "email with display name", modify: func(_ *Batch, r *Recipient) { r.Email = "Ann <ann@example.com>" }},
		{name: "no expiry", modify: func(_ *Batch, r *Recipient) { r.ExpiresAt = time.Time{} }},
		{name: "no link", modify: func(_ *Batch, r *Recipient) { r.Link = "" }},
		{name: "relative link", modify: func(_ *Batch, r *Recipient) { r.Link = "/activate?token=x" }},
		{name: "script link", modify: func(_ *Batch, r *Recipient) { r.Link = "javascript:alert(1)" }},
		{name: "unknown time zone", modify: func(b *Batch, _ *Recipient) { b.TimeZone = "Mars/Olympus_Mons" }},
		{name: "the server's local zone", modify: func(b *Batch, _ *Recipient) { b.TimeZone = "Local" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, r := testBatch(), testRecipient(0)
			tt.modify(&b, &r)
			_, _, _, err := Render(b, r, renderNow)
			require.ErrorIs(t, err, ErrInvalidBatch)
			require.NotContains(t, err.Error(), "token=")
		})
	}
}

// One execution escapes a link as the target and as the text of a link
// exactly as the two contexts do apart, whatever the link holds.
func TestEscapeLinkMatchesBothContexts(t *testing.T) {
	t.Parallel()
	for _, link := range []string{
		"https://app.example/activate?token=abc_DEF-123",
		`https://app.example/activate?token=a"b<c>d&e'f+g`,
		"https://app.example/a%20b/activate?x=1&y=\">&lt;</a>",
		"http://[::1]:8080/activate?token=é",
	} {
		href, text, err := escapeLink(link)
		require.NoError(t, err, link)
		wantHref, err := execute(hrefContext, link)
		require.NoError(t, err)
		wantText, err := execute(textContext, link)
		require.NoError(t, err)
		require.Equal(t, strings.TrimSuffix(strings.TrimPrefix(wantHref, hrefContextPrefix), hrefContextSuffix), href, link)
		require.Equal(t, strings.TrimSuffix(strings.TrimPrefix(wantText, textContextPrefix), textContextSuffix), text, link)
	}
}
