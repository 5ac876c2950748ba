package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// By ids: every kind of user a selection can hold, previewed, then resent;
// each resent user gets exactly what a single resend gives, and the emails
// of the batch leave in one provider call.
func TestBulkResendByIDs(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org, other := e.Org(), e.Org()
		_, hrToken := e.Manager(org, people.HR)
		pending := []people.User{e.User(org, apitest.UserOpts{}), e.User(org, apitest.UserOpts{Role: people.Curator}),
			e.User(org, apitest.UserOpts{NoInvite: true})}
		admin := e.User(org, apitest.UserOpts{Role: people.Admin})
		confirmed := e.User(org, apitest.UserOpts{Status: people.Confirmed})
		stranger := e.User(other, apitest.UserOpts{})
		oldTokens := map[uuid.UUID]string{}
		for _, u := range pending[:2] {
			oldTokens[u.ID] = e.InviteToken(u.Invite.ID)
		}
		ids := []string{pending[0].ID.String(), admin.ID.String(), pending[1].ID.String(), confirmed.ID.String(),
			stranger.ID.String(), uuid.NewString(), pending[2].ID.String(), pending[0].ID.String()}

		var preview api.BulkResendPreview
		e.Post("/users/resend-invites", hrToken, map[string]any{"user_ids": ids, "dry_run": true}).Expect(http.StatusOK).JSON(&preview)
		require.Equal(t, 3, preview.Matched)
		require.Equal(t, map[string]int{"insufficient_rank": 1, "invite_not_pending": 1, "not_found": 2}, preview.Skipped)
		require.Zero(t, e.SendGrid.Requests())

		r := e.Do(apitest.Request{Method: http.MethodPost, Path: "/users/resend-invites", Token: hrToken,
			Body: map[string]any{"user_ids": ids}, Header: map[string]string{"X-Request-ID": "bulk-by-ids"}})
		job := accepted(t, r)
		require.Equal(t, "bulk_resend", job.Kind)
		require.Equal(t, "queued", job.State)
		require.Equal(t, 7, job.Total, "a user named twice is one item")
		require.Equal(t, "user_ids", job.Params.Selection)

		e.StartWorkers()
		job = waitJob(t, e, hrToken, job.ID, 30*time.Second)
		require.Equal(t, "succeeded", job.State)
		require.Equal(t, []int{7, 3, 0, 4}, []int{job.Processed, job.Succeeded, job.Failed, job.Skipped})
		require.NotNil(t, job.StartedAt)
		require.NotNil(t, job.FinishedAt)

		items := allItems(t, e, hrToken, job.ID, "")
		require.Len(t, items, 7)
		want := []struct{ outcome, code string }{{"succeeded", ""}, {"skipped", "insufficient_rank"}, {"succeeded", ""},
			{"skipped", "invite_not_pending"}, {"skipped", "not_found"}, {"skipped", "not_found"}, {"succeeded", ""}}
		for i, w := range want {
			require.Equal(t, i+1, items[i].Position)
			require.Equal(t, w.outcome, items[i].Outcome, "item %d", i+1)
			require.Equal(t, w.code, items[i].Code, "item %d", i+1)
			if w.outcome == "skipped" {
				require.NotEmpty(t, items[i].Message)
			}
		}
		require.Equal(t, pending[0].Email, items[0].Email)
		require.Empty(t, items[4].Email, "nothing of another organization shows")

		// The factories' own first invitations may go out too; the job's
		// three are in one message of their own.
		var msgs []sendgridtest.Message
		require.Eventually(t, func() bool {
			msgs = messagesWith(e.SendGrid.Messages(), *items[0].InviteID)
			return len(msgs) > 0
		}, 20*time.Second, 20*time.Millisecond)
		require.Len(t, msgs, 1)
		links := linksOf(t, msgs)
		require.Len(t, links, 3, "one provider call for the batch")
		for i, u := range pending {
			latest := e.LatestInvite(u)
			require.Equal(t, *items[[]int{0, 2, 6}[i]].InviteID, latest.ID)
			require.Equal(t, u.Email, links[i].email)
			var details api.InviteDetails
			e.Post("/invites/verify", "", map[string]any{"token": links[i].token}).Expect(http.StatusOK).JSON(&details)
			require.Equal(t, u.Email, details.Email)
			if old, ok := oldTokens[u.ID]; ok {
				p := e.Post("/invites/verify", "", map[string]any{"token": old}).ExpectProblem(http.StatusGone, "invite_revoked")
				require.Equal(t, "superseded", p.Reason)
			}
			require.Eventually(t, func() bool {
				inv := e.LatestInvite(u)
				return inv.Delivery.Status == people.DeliverySent && inv.Delivery.MessageID == msgs[0].ID
			}, 5*time.Second, 20*time.Millisecond, "each invite records the batch's message id")
		}
		var user api.User
		e.Get("/users/"+admin.ID.String(), hrToken).Expect(http.StatusOK).JSON(&user)
		require.Equal(t, 1, user.Invite.SentCount, "the outranking admin was left alone")

		var events api.AuditEventList
		e.Get("/audit-events?action=bulk.resend_started", hrToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 1)
		require.Equal(t, job.ID.String(), events.Data[0].Metadata["job_id"])
		e.Get("/audit-events?action=invite.resent", hrToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 2)
		for _, ev := range events.Data {
			require.Equal(t, "bulk-by-ids", ev.RequestID, "per-user events name the accepting request")
		}
		e.Get("/audit-events?action=invite.sent&target_user_id="+pending[2].ID.String(), hrToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 1, "a never-invited user's first invitation is sent, not resent")
	})
}

// By filter: the same users GET /users lists with status=invite_pending,
// rank rules per item, and the selection frozen when accepted.
func TestBulkResendByFilterFreezesSelection(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		_, hrToken := e.Manager(org, people.HR)
		match := []people.User{
			e.User(org, apitest.UserOpts{Email: "anna@acme.example"}),
			e.User(org, apitest.UserOpts{Email: "bob@acme.example", Role: people.Curator}),
			e.User(org, apitest.UserOpts{Email: "cleo@acme.example"}),
			e.User(org, apitest.UserOpts{Email: "dan@acme.example"}),
		}
		boss := e.User(org, apitest.UserOpts{Email: "boss@acme.example", Role: people.Admin})
		e.User(org, apitest.UserOpts{Email: "eve@elsewhere.example"})
		e.User(org, apitest.UserOpts{Email: "fay@acme.example", Status: people.Confirmed})
		e.Clock.Advance(5 * time.Minute)
		late := e.User(org, apitest.UserOpts{Email: "late@acme.example"})
		filter := map[string]any{"q": "ACME", "invited_before": late.LastInvitedAt.Add(-time.Minute).Format(time.RFC3339)}

		var list api.UserList
		e.Get("/users?status=invite_pending&q=ACME&invited_before="+late.LastInvitedAt.Add(-time.Minute).Format(time.RFC3339), hrToken).
			Expect(http.StatusOK).JSON(&list)
		require.Len(t, list.Data, 5, "four matches and the admin")

		var preview api.BulkResendPreview
		e.Post("/users/resend-invites", hrToken, map[string]any{"filter": filter, "dry_run": true}).Expect(http.StatusOK).JSON(&preview)
		require.Equal(t, 4, preview.Matched)
		require.Equal(t, map[string]int{"insufficient_rank": 1}, preview.Skipped)
		e.Post("/users/resend-invites", hrToken, map[string]any{"filter": map[string]any{"role": "curator"}, "dry_run": true}).
			Expect(http.StatusOK).JSON(&preview)
		require.Equal(t, 1, preview.Matched)

		job := accepted(t, e.Post("/users/resend-invites", hrToken, map[string]any{"filter": filter}))
		require.Equal(t, 5, job.Total)
		require.Equal(t, "filter", job.Params.Selection)
		require.Equal(t, "ACME", job.Params.Filter.Q)

		// After acceptance: a new match is not added, one match gets a
		// password, another is resent by hand.
		e.User(org, apitest.UserOpts{Email: "newcomer@acme.example"})
		e.Clock.Advance(time.Minute)
		e.Do(apitest.Request{Method: http.MethodPut, Path: "/users/" + match[2].ID.String() + "/password", Token: hrToken,
			Body: map[string]any{"generate": true}}).Expect(http.StatusOK)
		e.Post("/users/"+match[3].ID.String()+"/resend-invite", hrToken, nil).Expect(http.StatusAccepted)

		e.StartWorkers()
		job = waitJob(t, e, hrToken, job.ID, 30*time.Second)
		require.Equal(t, "succeeded", job.State)
		items := allItems(t, e, hrToken, job.ID, "")
		require.Len(t, items, 5)
		byUser := map[uuid.UUID]api.JobItem{}
		for _, it := range items {
			byUser[*it.UserID] = it
		}
		require.Equal(t, "succeeded", byUser[match[0].ID].Outcome)
		require.Equal(t, "succeeded", byUser[match[1].ID].Outcome)
		require.Equal(t, "invite_not_pending", byUser[match[2].ID].Code)
		require.Equal(t, "recently_invited", byUser[match[3].ID].Code)
		require.Equal(t, "insufficient_rank", byUser[boss.ID].Code)

		skippedOnly := allItems(t, e, hrToken, job.ID, "&items_outcome=skipped")
		require.Len(t, skippedOnly, 3)
		require.Equal(t, 2, e.LatestInvite(match[3]).Sequence, "the hand resend was not doubled")
	})
}

// Two bulk requests over the same users: the second does not double the
// emails of users the first still has to process, whichever runs first.
func TestBulkResendTwiceMailsOnce(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ids := seedPending(t, e, org, 30, "twice")
		first := accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}}))
		strs := make([]string, len(ids))
		for i, id := range ids {
			strs[i] = id.String()
		}
		second := accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"user_ids": strs}))
		e.StartWorkers()
		a := waitJob(t, e, org.OwnerToken, first.ID, 30*time.Second)
		b := waitJob(t, e, org.OwnerToken, second.ID, 30*time.Second)
		require.Equal(t, 30, a.Succeeded+b.Succeeded)
		require.Equal(t, 30, a.Skipped+b.Skipped)
		for _, it := range append(allItems(t, e, org.OwnerToken, first.ID, "&items_outcome=skipped"),
			allItems(t, e, org.OwnerToken, second.ID, "&items_outcome=skipped")...) {
			require.Equal(t, "recently_invited", it.Code)
		}
		msgs := e.SendGrid.WaitForMessages(t, 1, 20*time.Second)
		require.Eventually(t, func() bool { return len(linksOf(t, e.SendGrid.Messages())) == 30 }, 10*time.Second, 20*time.Millisecond)
		seen := map[string]bool{}
		for _, l := range linksOf(t, e.SendGrid.Messages()) {
			require.False(t, seen[l.email], "%s mailed twice", l.email)
			seen[l.email] = true
		}
		require.NotEmpty(t, msgs)
	})
}
