package webhookbench_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

const users = 10_000

// Repetitions of the bulk resends: the machine is shared, and one resend's
// time moves by a quarter and more from one run to the next, so each side
// is run several times, alternating, and the medians are compared.
const (
	recordRounds = 5
	resendRounds = 3
)

// BenchmarkWebhooks runs, in one process on one PostgreSQL database:
//
//  1. delivery throughput: 10,000 invite.sent events recorded while no
//     worker runs, then the time from starting the workers to the local
//     receiver's 10,000th verified webhook;
//  2. the bulk resend of 10,000 users by an organization without an
//     endpoint and by one with an endpoint subscribed to every event,
//     alternating, through the API with every worker running, so that the
//     webhooks of the second are delivered while its job runs: the time from
//     the 202 to the job's end, and for the second to the last webhook
//     received.
//
// BenchmarkWebhooksRecording times the same two resends with no worker
// running, on a database of its own: what recording the events costs the
// job, apart from delivering them.
//
// Each resend is timed alone, with the CPU time it took; the ratios are of
// the medians. The load average is logged along, to judge the run by.
//
// Macro benchmarks; run them once:
// REQUIRE_POSTGRES=1 go test -run='^$' -bench=Webhooks -benchtime=1x -timeout 60m -v ./internal/webhookbench/
func BenchmarkWebhooks(b *testing.B) {
	e := apitest.New(b, config.Postgres)
	ctx := context.Background()
	b.Cleanup(func() {
		if b.Failed() {
			b.Log(e.Logs.String())
		}
	})

	// 1. Throughput.
	org := e.Org()
	seed(b, e, org, "throughput")
	ep := e.WebhookEndpoint(org, "invite.sent")
	job, err := startResend(ctx, e, org)
	require.NoError(b, err)
	runJob(b, e, job) // the events are recorded by the job's batches; nothing delivers them yet
	require.Equal(b, users, e.Count("webhook_deliveries", "endpoint_id = ?", ep.ID))
	b.Logf("load average %s", loadAverage())
	start := time.Now()
	e.StartWorkers()
	ep.Receiver.WaitFor(b, users, 10*time.Minute)
	elapsed := time.Since(start)
	b.ReportMetric(float64(users)/elapsed.Seconds(), "events/s")
	b.Logf("delivered %d webhooks in %s: %.0f events/s; load average %s", users, elapsed.Round(time.Millisecond),
		float64(users)/elapsed.Seconds(), loadAverage())

	// 2. Bulk resend with and without an endpoint, delivering meanwhile.
	plain, hooked := e.Org(), e.Org()
	seed(b, e, plain, "plain")
	seed(b, e, hooked, "hooked")
	hookedEP := e.WebhookEndpoint(hooked)
	var without, with, cpuWithout, cpuWith []time.Duration
	for round := range resendRounds {
		d, c, _ := timedResend(b, e, plain, nil)
		without, cpuWithout = append(without, d), append(cpuWithout, c)
		want := users*(round+1) + (round + 1) // invite.sent or .resent per user, and job.finished
		d, c, last := timedResend(b, e, hooked, func() { hookedEP.Receiver.WaitFor(b, want, 10*time.Minute) })
		with, cpuWith = append(with, d), append(cpuWith, c)
		b.Logf("round %d: bulk resend of %d users %s (CPU %s) without an endpoint, %s (CPU %s) with one (last webhook %s after the 202); load average %s",
			round+1, users, without[round].Round(time.Millisecond), cpuWithout[round].Round(time.Millisecond),
			d.Round(time.Millisecond), c.Round(time.Millisecond), last.Round(time.Millisecond), loadAverage())
	}
	report(b, "", without, with, cpuWithout, cpuWith)
}

// BenchmarkWebhooksRecording: see BenchmarkWebhooks.
func BenchmarkWebhooksRecording(b *testing.B) {
	e := apitest.New(b, config.Postgres)
	b.Cleanup(func() {
		if b.Failed() {
			b.Log(e.Logs.String())
		}
	})
	plain, hooked := e.Org(), e.Org()
	seed(b, e, plain, "plain")
	seed(b, e, hooked, "hooked")
	e.WebhookEndpoint(hooked)
	b.Logf("load average %s", loadAverage())
	var without, with, cpuWithout, cpuWith []time.Duration
	for round := range recordRounds {
		d, c := timedRun(b, e, plain)
		without, cpuWithout = append(without, d), append(cpuWithout, c)
		d, c = timedRun(b, e, hooked)
		with, cpuWith = append(with, d), append(cpuWith, c)
		b.Logf("recording, round %d: bulk resend of %d users %s (CPU %s) without an endpoint, %s (CPU %s) with one; load average %s",
			round+1, users, without[round].Round(time.Millisecond), cpuWithout[round].Round(time.Millisecond),
			d.Round(time.Millisecond), c.Round(time.Millisecond), loadAverage())
	}
	report(b, "recording-", without, with, cpuWithout, cpuWith)
}

// report logs and reports the medians of a measurement's two sides and
// their ratios, of elapsed time and of CPU time.
func report(b *testing.B, prefix string, without, with, cpuWithout, cpuWith []time.Duration) {
	ratio := float64(median(with)) / float64(median(without))
	cpuRatio := float64(median(cpuWith)) / float64(median(cpuWithout))
	b.ReportMetric(ratio, prefix+"with/without")
	b.ReportMetric(cpuRatio, prefix+"cpu-with/without")
	b.Logf("%swith an endpoint / without: median %s / %s = %.2f; CPU time %s / %s = %.2f", prefix,
		median(with).Round(time.Millisecond), median(without).Round(time.Millisecond), ratio,
		median(cpuWith).Round(time.Millisecond), median(cpuWithout).Round(time.Millisecond), cpuRatio)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loadAverage is the machine's 1, 5 and 15 minute load averages, as uptime shows them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// seed creates the users of org, invite-pending and never invited, through the importer.
func seed(b *testing.B, e *apitest.Env, org apitest.Org, prefix string) {
	b.Helper()
	rows := make([]people.ImportRow, users)
	for i := range rows {
		rows[i] = people.ImportRow{Row: i + 1, Email: fmt.Sprintf("%s%05d@example.com", prefix, i), FirstName: "Pat", LastName: fmt.Sprintf("No%d", i)}
	}
	_, job, err := e.Service.ImportUsers(context.Background(), people.Actor{User: org.Owner}, people.Import{Rows: rows, Format: "json"})
	require.NoError(b, err)
	runJob(b, e, job.ID)
}

func startResend(ctx context.Context, e *apitest.Env, org apitest.Org) (uuid.UUID, error) {
	_, job, err := e.Service.ResendInvites(ctx, people.Actor{User: org.Owner}, people.BulkResendRequest{Filter: &people.BulkFilter{}})
	return job.ID, err
}

// runJob works a job's batches in this goroutine.
func runJob(b *testing.B, e *apitest.Env, id uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	for {
		require.NoError(b, e.Service.RunJobBatch(ctx, id))
		var state string
		require.NoError(b, e.DB.Gorm.Raw(`SELECT state FROM bulk_jobs WHERE id = ?`, id).Row().Scan(&state))
		if people.JobState(state).Finished() {
			return
		}
	}
}

// timedRun starts a bulk resend of everyone in org and works its batches
// in this goroutine, with no worker running: the job's time alone, and
// the CPU time it took.
func timedRun(b *testing.B, e *apitest.Env, org apitest.Org) (elapsed, cpu time.Duration) {
	b.Helper()
	meter := startCPU(b, e)
	start := time.Now()
	job, err := startResend(context.Background(), e, org)
	require.NoError(b, err)
	runJob(b, e, job)
	return time.Since(start), meter.used()
}

// timedResend sends a bulk resend through the API and waits, with the
// workers running, for the job's end and then for delivered.
func timedResend(b *testing.B, e *apitest.Env, org apitest.Org, delivered func()) (job, cpu, last time.Duration) {
	b.Helper()
	meter := startCPU(b, e)
	start := time.Now()
	r := e.Post("/users/resend-invites", e.Token(org.Owner), map[string]any{"filter": map[string]any{}}).Expect(http.StatusAccepted)
	var accepted struct {
		Job struct {
			ID uuid.UUID `json:"id"`
		} `json:"job"`
	}
	r.JSON(&accepted)
	for {
		var state string
		require.NoError(b, e.DB.Gorm.Raw(`SELECT state FROM bulk_jobs WHERE id = ?`, accepted.Job.ID).Row().Scan(&state))
		if people.JobState(state).Finished() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	job, cpu = time.Since(start), meter.used()
	if delivered != nil {
		delivered()
	}
	return job, cpu, time.Since(start)
}

// cpuMeter measures the CPU time of this process (the service, its
// workers, the fake SendGrid and the receiver) and of the PostgreSQL
// processes working on its database. Elapsed time on a shared machine
// depends on what else runs; CPU time much less.
type cpuMeter struct {
	b     *testing.B
	e     *apitest.Env
	start map[int]time.Duration
}

func startCPU(b *testing.B, e *apitest.Env) cpuMeter {
	return cpuMeter{b: b, e: e, start: cpuTimes(b, e)}
}

// used is the CPU time since the meter started. A database process that
// ended meanwhile is left out.
func (m cpuMeter) used() time.Duration {
	var d time.Duration
	for pid, t := range cpuTimes(m.b, m.e) {
		d += t - m.start[pid]
	}
	return d
}

// cpuTimes are the CPU times, by process id, of this process (as 0) and
// of the database's server processes, read from /proc (the database runs
// on this machine).
func cpuTimes(b *testing.B, e *apitest.Env) map[int]time.Duration {
	b.Helper()
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	out := map[int]time.Duration{0: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	var pids []int
	require.NoError(b, e.DB.Gorm.Raw(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`).Scan(&pids).Error)
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // ended, or not on this machine
		}
		// The fields after the command's closing parenthesis; utime and stime are the 12th and 13th, in clock ticks.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(utime+stime) * time.Second / clockTicks
	}
	return out
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux
// architecture Go runs on.
const clockTicks = 100
