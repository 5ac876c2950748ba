package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/testwait"
)

// seedPending creates n invite-pending learners in org through the
// importer, without invitations, and returns their ids in creation order.
func seedPending(t testing.TB, e *apitest.Env, org apitest.Org, n int, emailPrefix string) []uuid.UUID {
	t.Helper()
	ctx := context.Background()
	rows := make([]people.ImportRow, n)
	for i := range rows {
		rows[i] = people.ImportRow{Row: i + 1, Email: fmt.Sprintf("%s%05d@example.com", emailPrefix, i), FirstName: "Pat", LastName: fmt.Sprintf("No%d", i)}
	}
	_, job, err := e.Service.ImportUsers(ctx, people.Actor{User: org.Owner}, people.Import{Rows: rows, Format: "json"})
	require.NoError(t, err)
	for !job.State.Finished() {
		require.NoError(t, e.Service.RunJobBatch(ctx, job.ID))
		job, err = e.Store.Job(ctx, org.ID, job.ID)
		require.NoError(t, err)
	}
	require.Equal(t, people.JobSucceeded, job.State)
	items, err := e.Store.JobItems(ctx, job.ID, people.ItemFilter{Limit: n})
	require.NoError(t, err)
	ids := make([]uuid.UUID, len(items))
	for i, it := range items {
		ids[i] = *it.UserID
	}
	return ids
}

// waitJob polls the job until it is finished; timeout is stretched under
// the race detector, as the helpers of apitest stretch theirs.
func waitJob(t testing.TB, e *apitest.Env, token string, id uuid.UUID, timeout time.Duration) api.Job {
	t.Helper()
	timeout = testwait.Deadline(timeout)
	deadline := time.Now().Add(timeout)
	for {
		var job api.Job
		e.Get("/jobs/"+id.String()+"?items_limit=1", token).Expect(http.StatusOK).JSON(&job)
		if job.State != "queued" && job.State != "running" {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after %s: %d of %d processed", id, job.State, timeout, job.Processed, job.Total)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// allItems pages through every item of a job.
func allItems(t testing.TB, e *apitest.Env, token string, id uuid.UUID, query string) []api.JobItem {
	t.Helper()
	return itemPages(t, e, token, id, 1000, query)
}

// itemPages reads a job's items page by page, pageSize at a time.
func itemPages(t testing.TB, e *apitest.Env, token string, id uuid.UUID, pageSize int, query string) []api.JobItem {
	t.Helper()
	var out []api.JobItem
	cursor := ""
	for {
		path := "/jobs/" + id.String() + "?items_limit=" + strconv.Itoa(pageSize) + query
		if cursor != "" {
			path += "&items_cursor=" + url.QueryEscape(cursor)
		}
		var job api.Job
		e.Get(path, token).Expect(http.StatusOK).JSON(&job)
		out = append(out, job.Items.Data...)
		if !job.Items.HasMore {
			return out
		}
		cursor = *job.Items.NextCursor
	}
}

// accepted decodes a 202 that started a job.
func accepted(t testing.TB, r *apitest.Response) api.Job {
	t.Helper()
	var out api.JobAccepted
	r.Expect(http.StatusAccepted).JSON(&out)
	require.Equal(t, "/jobs/"+out.Job.ID.String(), r.Header.Get("Location"))
	return out.Job
}

// sentLink is one activation link as a recipient received it.
type sentLink struct {
	email, token, messageID string
}

// linksOf lists every recipient's link in message order.
func linksOf(t testing.TB, msgs []sendgridtest.Message) []sentLink {
	t.Helper()
	var out []sentLink
	for _, m := range msgs {
		for _, p := range m.Personalizations {
			require.Contains(t, p.Text, apitest.AppBaseURL+"/activate?token=")
			tok := apitest.TokenFromLink(t, p.Text)
			tok, err := url.QueryUnescape(tok)
			require.NoError(t, err)
			out = append(out, sentLink{email: p.Email, token: tok, messageID: m.ID})
		}
	}
	return out
}

func csvBody(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

// messagesWith keeps the messages addressed to any of the invites.
func messagesWith(msgs []sendgridtest.Message, inviteIDs ...uuid.UUID) []sendgridtest.Message {
	want := map[string]bool{}
	for _, id := range inviteIDs {
		want[id.String()] = true
	}
	var out []sendgridtest.Message
	for _, m := range msgs {
		for _, p := range m.Personalizations {
			if want[p.CustomArgs[mail.CustomArgInviteID]] {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
