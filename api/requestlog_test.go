package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
)

// logLines are the JSON lines logged so far whose message is msg.
func logLines(t *testing.T, e *apitest.Env, msg string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for l := range strings.SplitSeq(e.Logs.String(), "\n") {
		var line map[string]any
		if l == "" || json.Unmarshal([]byte(l), &line) != nil || line["msg"] != msg {
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

var readableDuration = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(ns|µs|ms|s)$`)

// The request line names who acted, in which organization, and how long it
// took in words; the email job the request queued logs the request's id,
// on the attempt that failed and on the one that sent.
func TestLogLinesNameTheActorAndCarryTheRequestIDIntoEmailJobs(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		const rid = "add-ada-0001"
		e.SendGrid.FailNext(1, http.StatusServiceUnavailable)
		e.Do(apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken,
			Header: map[string]string{"X-Request-ID": rid}, Body: map[string]any{"email": "ada@example.com"}}).
			Expect(http.StatusCreated)

		var request map[string]any
		for _, l := range logLines(t, e, "request") {
			if l["request_id"] == rid {
				request = l
			}
		}
		require.NotNil(t, request, "the request's line")
		require.Equal(t, org.Owner.ID.String(), request["user_id"])
		require.Equal(t, org.ID.String(), request["organization_id"])
		require.Regexp(t, readableDuration, request["duration"])

		// The listing reads its user with its page, and names it the same.
		e.Do(apitest.Request{Method: http.MethodGet, Path: "/users", Token: org.OwnerToken,
			Header: map[string]string{"X-Request-ID": rid + "-list"}}).Expect(http.StatusOK)
		request = nil
		for _, l := range logLines(t, e, "request") {
			if l["request_id"] == rid+"-list" {
				request = l
			}
		}
		require.NotNil(t, request, "the listing's line")
		require.Equal(t, "/users", request["path"])
		require.Equal(t, org.Owner.ID.String(), request["user_id"])
		require.Equal(t, org.ID.String(), request["organization_id"])

		// A public route has no actor: its line names none.
		e.Post("/invites/verify", "", map[string]any{"token": "nope"})
		lines := logLines(t, e, "request")
		last := lines[len(lines)-1]
		require.Equal(t, "/invites/verify", last["path"])
		require.NotContains(t, last, "user_id")

		e.StartWorkers()
		e.WaitForInviteJobs(time.Minute)
		var failed, sent []map[string]any
		for _, l := range logLines(t, e, "invite email failed, will retry") {
			if l["request_id"] == rid {
				failed = append(failed, l)
			}
		}
		for _, l := range logLines(t, e, "invite email sent") {
			if l["request_id"] == rid {
				sent = append(sent, l)
			}
		}
		require.Len(t, failed, 1, "the failed attempt names the request")
		require.Len(t, sent, 1, "the attempt that sent names the request")
		require.Regexp(t, readableDuration, sent[0]["queued_for"])
	})
}
