package bench_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/people"
)

// BenchmarkAPI measures the hot routes end to end in process: the real
// router, middleware and service on PostgreSQL, over 20,000 users of one
// organization next to 50 others. It leaves out the network and the load
// generator, which BENCHMARKS.md measures with wrk, and the tests' contract
// check of every answer: requests go to the server itself, logging at warn
// as the measured server does.
//
//	go test -run '^$' -bench BenchmarkAPI -benchmem ./internal/bench
func BenchmarkAPI(b *testing.B) {
	dbURL, ds := seeded(b, smallSpec(b, 20_000, 50))
	e := apitest.New(b, config.Postgres, apitest.Options{DatabaseURL: dbURL, WarnLogs: true})
	token := e.Token(ds.Owner)

	var pending []uuid.UUID
	for _, u := range ds.Users {
		if u.OrganizationID == ds.Org.ID && u.Status == people.InvitePending {
			pending = append(pending, u.ID)
		}
	}
	deep := "/users?status=invite_pending&cursor=" + url.QueryEscape(cursorAt(b, e, token, "status=invite_pending", len(pending)*4/5))
	runtime.GC() // the seeding's garbage is not the routes' to collect

	get := func(path string) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				serve(b, e, http.MethodGet, path, token, http.StatusOK)
			}
		}
	}
	b.Run("list_pending_first", get("/users?status=invite_pending"))
	b.Run("list_pending_deep", get(deep))
	b.Run("search", get("/users?q=okafor"))
	b.Run("get_user", get("/users/"+pending[0].String()))
	b.Run("resend", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		i := 0
		for b.Loop() {
			serve(b, e, http.MethodPost, "/users/"+pending[i%len(pending)].String()+"/resend-invite", token, http.StatusAccepted)
			i++
		}
	})
	// resend_delivered is resend with its emails: the CPU per operation
	// counts the workers, the dispatcher and the provider calls too (and
	// the in-process fake SendGrid's reading of them, the same for every
	// revision), up to the last email's arrival. Its users are others than
	// resend's, so that no email is skipped as superseded.
	b.Run("resend_delivered", func(b *testing.B) {
		users := pending[len(pending)/2:]
		e.StartWorkers()
		e.WaitForInviteJobs(5 * time.Minute) // resend's emails are not this one's
		e.SendGrid.Reset()
		b.ReportAllocs()
		defer reportCPU(b)()
		i := 0
		for b.Loop() {
			serve(b, e, http.MethodPost, "/users/"+users[i%len(users)].String()+"/resend-invite", token, http.StatusAccepted)
			i++
		}
		e.SendGrid.WaitForRecipients(b, min(i, len(users)), time.Minute)
	})
}

// reportCPU adds the process's CPU time per operation to the results:
// unlike ns/op, it leaves out the time spent waiting for PostgreSQL or for
// a processor other programs hold, so it compares well on a busy machine.
func reportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() { b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op") }
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serve sends one request through the router and checks the status.
func serve(b *testing.B, e *apitest.Env, method, path, token string, want int) {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.Server.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
}

// cursorAt pages through the listing until about depth rows deep and
// returns the cursor of the next page.
func cursorAt(t testing.TB, e *apitest.Env, token, query string, depth int) string {
	t.Helper()
	cursor := ""
	for seen := 0; seen < depth; {
		path := "/users?" + query + "&limit=200"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page api.UserList
		e.Get(path, token).Expect(http.StatusOK).JSON(&page)
		if page.NextCursor == nil {
			t.Fatalf("listing %q ended after %d rows, before %d", query, seen+len(page.Data), depth)
		}
		seen += len(page.Data)
		cursor = *page.NextCursor
	}
	if strings.TrimSpace(cursor) == "" {
		t.Fatal("no cursor")
	}
	return cursor
}
