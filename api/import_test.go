package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

func postCSV(e *apitest.Env, token, query, body string) *apitest.Response {
	return e.Do(csvRequest(token, query, body))
}

func csvRequest(token, query, body string) apitest.Request {
	return apitest.Request{Method: http.MethodPost, Path: "/users/import" + query, Token: token, Body: body,
		Header: map[string]string{"Content-Type": "text/csv; charset=utf-8"}}
}

// The CSV edge cases of real spreadsheets: a byte order mark, columns in
// any order and any case, quoted fields with commas, quotes and line breaks,
// CRLF and LF, blank lines; and every row problem reported with its line.
func TestImportCSVReport(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		_, hrToken := e.Manager(org, people.HR)
		e.User(org, apitest.UserOpts{Email: "taken@example.com"})
		e.User(org, apitest.UserOpts{Email: "gone@example.com", Status: people.Deactivated})
		file := "\ufeffRole, Email ,first_name,last_name\r\n" + // line 1
			"learner,\"  Ada@Example.com \",Ada,Lovelace\r\n" + // 2
			"\r\n" + // 3: blank
			"curator,\"grace@example.com\",\"Grace, Rear Admiral\",\"Hop\"\"per\"\n" + // 4: LF, quotes
			",,,\r\n" + // 5: blank cells
			"LEARNER,alan@example.com,\"Alan\nMathison\",Turing\r\n" + // 6-7: a line break inside quotes, not allowed in a name
			"learner,not-an-email,Bad,Email\r\n" + // 8
			"learner,ADA@example.com,Ada,Again\r\n" + // 9: duplicate of line 2
			"wizard,merlin@example.com,Merlin,\r\n" + // 10
			"admin,boss@example.com,Big,Boss\r\n" + // 11: above HR
			"learner,taken@example.com,Tak,En\r\n" + // 12: already a user
			"learner,gone@example.com,Gone,Away\r\n" + // 13: deactivated user
			"learner,short@example.com\r\n" // 14: too few fields

		var report api.ImportReport
		postCSV(e, hrToken, "?dry_run=true", file).Expect(http.StatusOK).JSON(&report)
		require.Equal(t, 10, report.Rows)
		require.Equal(t, 2, report.Create)
		require.Equal(t, 1, report.Skip)
		require.Equal(t, 7, report.Fail)
		got := map[int]string{}
		for _, p := range report.Problems {
			got[p.Row] += p.Outcome + ":" + p.Field + ":" + p.Code + " "
		}
		require.Equal(t, map[int]string{
			6:  "failed:first_name:invalid ",
			8:  "failed:email:invalid_email ",
			9:  "failed:email:duplicate_in_file ",
			10: "failed:role:unknown_role ",
			11: "failed:role:insufficient_rank ",
			12: "skipped::already_exists ",
			13: "failed:email:user_deactivated ",
			14: "failed:row:field_count ",
		}, got)
		require.Contains(t, report.Problems[2].Message, "row 2", "a duplicate names the first row")
		var counts api.UserCounts
		e.Get("/users/counts", hrToken).Expect(http.StatusOK).JSON(&counts)
		require.Equal(t, 1, counts.InvitePending, "a dry run changes nothing")

		job := accepted(t, postCSV(e, hrToken, "", file))
		require.Equal(t, "import", job.Kind)
		require.Equal(t, []int{10, 8, 1, 7}, []int{job.Total, job.Processed, job.Skipped, job.Failed})
		require.Equal(t, "csv", job.Params.Format)
		e.StartWorkers()
		job = waitJob(t, e, hrToken, job.ID, 20*time.Second)
		require.Equal(t, "partially_failed", job.State)
		require.Equal(t, 2, job.Succeeded)

		items := allItems(t, e, hrToken, job.ID, "&items_outcome=succeeded")
		require.Len(t, items, 2)
		for i, want := range []struct {
			row                      int
			email, first, last, role string
		}{{2, "ada@example.com", "Ada", "Lovelace", "learner"}, {4, "grace@example.com", "Grace, Rear Admiral", `Hop"per`, "curator"}} {
			require.Equal(t, want.row, *items[i].Row)
			require.Nil(t, items[i].InviteID, "send_invites defaults to false")
			var u api.User
			e.Get("/users/"+items[i].UserID.String(), hrToken).Expect(http.StatusOK).JSON(&u)
			require.Equal(t, []string{want.email, want.first, want.last, want.role, "invite_pending"},
				[]string{u.Email, u.FirstName, u.LastName, u.Role, u.Status})
			require.Nil(t, u.Invite)
		}
		failed := allItems(t, e, hrToken, job.ID, "&items_outcome=failed")
		require.Len(t, failed, 7)
		require.Equal(t, "invalid_row", failed[0].Code)
		require.Equal(t, 6, *failed[0].Row, "line numbers count the lines of a quoted line break")
		require.Equal(t, "first_name", failed[0].Errors[0].Field)
		require.Equal(t, 8, *failed[1].Row)
		require.Equal(t, "invalid_email", failed[1].Errors[0].Code)

		var events api.AuditEventList
		e.Get("/audit-events?action=import.started", hrToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 1)
		require.Equal(t, job.ID.String(), events.Data[0].Metadata["job_id"])
		e.Get("/audit-events?action=user.created", hrToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 2+4, "the two imported users and the four fixtures")
	})
}

// With send_invites each new user is invited as POST /users would, and
// the batch's invitations leave in one provider call, each with its own link.
func TestImportJSONSendsInvites(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		body := `{"users": [{"email": "a@example.com", "first_name": "A"}, {"email": "b@example.com", "role": "hr"},
			{"email": "c@example.com", "last_name": "C"}], "send_invites": true}`
		job := accepted(t, e.Post("/users/import", org.OwnerToken, body))
		require.True(t, job.Params.SendInvites)
		e.StartWorkers()
		job = waitJob(t, e, org.OwnerToken, job.ID, 20*time.Second)
		require.Equal(t, "succeeded", job.State)
		items := allItems(t, e, org.OwnerToken, job.ID, "")
		require.Len(t, items, 3)
		for _, it := range items {
			require.NotNil(t, it.InviteID)
		}
		var msgs []sendgridtest.Message
		require.Eventually(t, func() bool {
			msgs = messagesWith(e.SendGrid.Messages(), *items[0].InviteID)
			return len(msgs) == 1
		}, 20*time.Second, 20*time.Millisecond)
		links := linksOf(t, msgs)
		require.Len(t, links, 3)
		for i, l := range links {
			require.Equal(t, []string{"a@example.com", "b@example.com", "c@example.com"}[i], l.email)
			var accepted api.AcceptInviteResult
			e.Post("/invites/accept", "", map[string]any{"token": l.token, "password": apitest.Password}).Expect(http.StatusOK).JSON(&accepted)
			require.Equal(t, l.email, accepted.User.Email)
		}
		var events api.AuditEventList
		e.Get("/audit-events?action=invite.sent", org.OwnerToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 3)

		// A bare array works too, and the query carries the options.
		var report api.ImportReport
		e.Post("/users/import?dry_run=true", org.OwnerToken, `[{"email": "a@example.com"}, {"email": "d@example.com"}]`).
			Expect(http.StatusOK).JSON(&report)
		require.Equal(t, []int{2, 1, 1, 0}, []int{report.Rows, report.Create, report.Skip, report.Fail})
		require.Equal(t, 1, report.Problems[0].Row)
	})
}

// Whole-file problems fail the request and say what to fix.
func TestImportRejectsFiles(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, testImportRejectsFiles)
}

func testImportRejectsFiles(t *testing.T, e *apitest.Env) {
	org := e.Org()
	tok := org.OwnerToken
	cases := []struct {
		name, body, field, code, detail string
	}{
		{"empty", "", "file", "empty", ""},
		{"header only", "email\r\n", "file", "empty", ""},
		{"extra column", "email,phone,nickname\r\na@example.com,1,x\r\n", "file", "unknown_column", `"phone"`},
		{"no email column", "first_name\r\nAda\r\n", "file", "missing_column", ""},
		{"bare quote", "email,first_name\r\na@example.com,Ad\"a\r\n", "file", "malformed_csv", "line 2"},
		{"unterminated quote", "email,first_name\r\na@example.com,\"Ada\r\n", "file", "malformed_csv", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := csvRequest(tok, "", c.body)
			r.Invalid = c.body == "" // the contract requires a body
			p := e.Do(r).ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Equal(t, c.field, p.Errors[0].Field)
			require.Equal(t, c.code, p.Errors[0].Code)
			require.Contains(t, p.Errors[0].Message, c.detail)
		})
	}
	p := e.OffContract().Post("/users/import", tok, `[{"email": "a@example.com", "phone": "1"}]`).ExpectProblem(http.StatusBadRequest, "invalid_request")
	require.Equal(t, "users[0].phone", p.Errors[0].Field)
	p = e.OffContract().Post("/users/import?send_invites=true", tok, `{"users": [], "send_invites": false}`).ExpectProblem(http.StatusBadRequest, "invalid_request")
	require.Equal(t, "send_invites", p.Errors[0].Field)
	e.OffContract().Do(csvRequest(tok, "?send_invites=maybe", "email\r\na@example.com\r\n")).ExpectProblem(http.StatusBadRequest, "invalid_request")
	e.OffContract().Do(csvRequest(tok, "?sendinvites=true", "email\r\na@example.com\r\n")).ExpectProblem(http.StatusBadRequest, "invalid_request")
	e.OffContract().Do(apitest.Request{Method: http.MethodPost, Path: "/users/import", Token: tok, Body: "email\na@example.com\n",
		Header: map[string]string{"Content-Type": "text/plain"}}).ExpectProblem(http.StatusUnsupportedMediaType, "unsupported_media_type")

	// 50,001 rows: refused with the limit in the message.
	var b strings.Builder
	b.WriteString("email\n")
	for i := range people.MaxImportRows + 1 {
		fmt.Fprintf(&b, "u%d@example.com\n", i)
	}
	p = postCSV(e, tok, "?dry_run=true", b.String()).ExpectProblem(http.StatusBadRequest, "invalid_request")
	require.Contains(t, p.Errors[0].Message, "50000")
	require.Equal(t, "too_many_rows", p.Errors[0].Code)

	// More than 10 MiB, beyond the contract's maxLength: 413 with the limit in the message.
	big := "email,first_name\n" + strings.Repeat("someone@example.com,"+strings.Repeat("x", 80)+"\n", (10<<20)/100+1000)
	p = e.OffContract().Do(csvRequest(tok, "", big)).ExpectProblem(http.StatusRequestEntityTooLarge, "payload_too_large")
	require.Contains(t, p.Detail, "10 MiB")

	var list api.JobList
	e.Get("/jobs", tok).Expect(http.StatusOK).JSON(&list)
	require.Empty(t, list.Data, "nothing was started")
}
