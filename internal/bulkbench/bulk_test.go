package bulkbench_test

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/binarytest"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// BenchmarkBulkThroughput starts the binary on a fresh PostgreSQL database with
// SendGrid pointed at the in-process fake, then times, through the HTTP API:
// an import of 50,000 rows without invitations, bulk resends of 2,000 and
// 10,000 of those users, and an import of 50,000 more rows with
// invitations. For each phase it reports the time from the 202 to the job's
// end and to the last message the fake accepted, the provider calls, and
// the server's resident memory.
// It is a macro benchmark: one run takes minutes, so run it once with
// go test -run='^$' -bench=BulkThroughput -benchtime=1x ./internal/bulkbench/
func BenchmarkBulkThroughput(b *testing.B) {
	var t testing.TB = b
	fake := sendgridtest.NewServer(t)
	srv := &server{binarytest.New(t, binarytest.Build(t), testdb.NewURL(t, config.Postgres), fake)}
	srv.Start()

	srv.phase("import 50,000 rows, send_invites=false", fake, 0, func() string {
		return srv.ImportCSV(binarytest.CSV("first", 50_000), false)
	})
	srv.phase("bulk resend 2,000 users (filter role=curator)", fake, 2_000, func() string {
		return srv.BulkResend(map[string]any{"role": "curator"})
	})
	srv.phase("bulk resend 10,000 users (filter role=curator,learner)", fake, 10_000, func() string {
		return srv.BulkResend(map[string]any{"role": "curator,learner"})
	})
	srv.phase("import 50,000 rows, send_invites=true", fake, 50_000, func() string {
		return srv.ImportCSV(binarytest.CSV("second", 50_000), true)
	})
}

// server is the binary under measurement.
type server struct{ *binarytest.Server }

// phase runs start, which answers a 202 with a job id, and waits for the
// job and for mails recipients to reach the fake.
func (s *server) phase(name string, fake *sendgridtest.Server, mails int, start func() string) {
	s.T.Helper()
	calls0, recipients0 := fake.Requests(), recipients(fake)
	sampler := newRSSSampler(s.Pid())
	begin := time.Now()
	id := start()
	accepted := time.Since(begin)
	job := s.WaitForJob(id, 30*time.Minute)
	jobDone := time.Since(begin)
	require.Equal(s.T, "succeeded", job.State)
	deadline := time.Now().Add(10 * time.Minute)
	for recipients(fake)-recipients0 < mails {
		require.True(s.T, time.Now().Before(deadline), "only %d of %d messages arrived", recipients(fake)-recipients0, mails)
		time.Sleep(20 * time.Millisecond)
	}
	mailed := time.Since(begin)
	peak := sampler.stop()
	s.T.Logf("%s: request %s, job done %s, last message accepted %s; %d recipients in %d provider calls; server RSS peak %d MiB during the phase (process high-water mark %d MiB)",
		name, accepted.Round(time.Millisecond), (jobDone - accepted).Round(time.Millisecond), (mailed - accepted).Round(time.Millisecond),
		recipients(fake)-recipients0, fake.Requests()-calls0, peak>>10, binarytest.Status(s.Pid(), "VmHWM:")>>10)
	fake.Reset() // the fake keeps every message; only the server's memory is measured
}

func recipients(fake *sendgridtest.Server) int {
	n := 0
	for _, m := range fake.Messages() {
		n += len(m.Personalizations)
	}
	return n
}

// rssSampler records the highest resident set size of a process.
type rssSampler struct {
	mu   sync.Mutex
	peak int
	done chan struct{}
	wg   sync.WaitGroup
}

func newRSSSampler(pid int) *rssSampler {
	r := &rssSampler{done: make(chan struct{})}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			r.mu.Lock()
			r.peak = max(r.peak, binarytest.Status(pid, "VmRSS:"))
			r.mu.Unlock()
			select {
			case <-r.done:
				return
			case <-tick.C:
			}
		}
	}()
	return r
}

func (r *rssSampler) stop() int {
	close(r.done)
	r.wg.Wait()
	return r.peak
}
