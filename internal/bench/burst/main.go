// Command burst fires n concurrent PUT /users/{id}/password requests at
// once, each for a different user, waits for all of them, and prints one
// line: how long the burst took, the hashes per second that makes, latency
// percentiles, the server's peak resident memory sampled from /proc
// while it ran, and the server's CPU time and page faults per hash. wrk cannot measure this: it keeps a number of connections
// busy for a duration, it does not release a fixed number of requests
// together and wait for the last one.
//
//	go run ./internal/bench/burst -url http://127.0.0.1:18080 -ids ids.txt -pid 1234   # BENCH_TOKEN in the environment
//
// It only talks to a server on the loopback interface.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "burst:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("burst", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:18080", "server under test (loopback only)")
	idsFile := fs.String("ids", "", "file of user ids, one a line; the first n are used (required)")
	n := fs.Int("n", 200, "concurrent requests")
	pid := fs.Int("pid", 0, "server process id, to sample its memory (0: don't)")
	password := fs.String("password", "quartz-lantern-meadow-91-orbit", "password to set")
	clkTck := fs.Int("clk-tck", 100, "the kernel's clock ticks a second, as getconf CLK_TCK prints")
	if err := fs.Parse(args); err != nil {
		return err
	}
	token := getenv("BENCH_TOKEN")
	if token == "" {
		return errors.New("BENCH_TOKEN is not set")
	}
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url must be a loopback address such as 127.0.0.1, got %q", u.Hostname())
	}
	ids, err := readIDs(*idsFile, *n)
	if err != nil {
		return err
	}
	body := []byte(fmt.Sprintf(`{"password":%q,"temporary":true}`, *password))

	client := &http.Client{
		Timeout:   2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: *n, MaxConnsPerHost: 0, DisableCompression: true},
	}
	mem := startSampling(*pid)
	before := readProcStat(*pid)
	var (
		wg       sync.WaitGroup
		start    = make(chan struct{})
		latency  = make([]time.Duration, *n)
		statuses = make([]int, *n)
		errs     = make([]error, *n)
	)
	for i, id := range ids {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, *base+"/users/"+id+"/password", bytes.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			<-start
			t := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			latency[i], statuses[i] = time.Since(t), resp.StatusCode
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(began)
	peak, hwm := mem.stop()
	used := readProcStat(*pid).since(before)

	ok := 0
	for i, s := range statuses {
		if s == http.StatusOK {
			ok++
		} else if errs[i] == nil {
			errs[i] = fmt.Errorf("status %d", s)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%d of %d requests failed: %w", *n-ok, *n, err)
	}
	slices.Sort(latency)
	pct := func(p int) float64 { return float64(latency[(len(latency)-1)*p/100].Microseconds()) / 1000 }
	fmt.Fprintf(stdout, "BURST requests=%d ok=%d elapsed_ms=%.0f hashes_per_s=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f peak_rss_kib=%d hwm_kib=%d cpu_ms_per_hash=%.1f faults_per_hash=%.0f\n",
		*n, ok, float64(elapsed.Milliseconds()), float64(ok)/elapsed.Seconds(), pct(50), pct(99), pct(100), peak, hwm,
		float64(used.ticks)*1000/float64(*clkTck)/float64(ok), float64(used.minorFaults)/float64(ok))
	return nil
}

func readIDs(path string, n int) ([]string, error) {
	f, err := os.Open(path) //nolint:gosec // a file the operator names
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(ids) < n {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			ids = append(ids, line)
		}
	}
	if len(ids) < n {
		return nil, fmt.Errorf("%s has %d ids, %d needed", path, len(ids), n)
	}
	return ids, sc.Err()
}

// sampler watches a process's resident memory: VmRSS every few
// milliseconds, and VmHWM, the kernel's own high-water mark, reset first.
type sampler struct {
	pid  int
	done chan struct{}
	peak chan int
}

func startSampling(pid int) *sampler {
	s := &sampler{pid: pid, done: make(chan struct{}), peak: make(chan int, 1)}
	if pid == 0 {
		s.peak <- 0
		return s
	}
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
	go func() {
		peak := 0
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, statusKiB(pid, "VmRSS"))
			select {
			case <-s.done:
				s.peak <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) stop() (peak, hwm int) {
	close(s.done)
	peak = <-s.peak
	if s.pid != 0 {
		hwm = statusKiB(s.pid, "VmHWM")
	}
	return peak, hwm
}

// statusKiB reads one "Name: 1234 kB" field of /proc/pid/status.
func statusKiB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}

// procStat is what /proc/pid/stat counts of a process's work: CPU time in
// clock ticks (user and system) and minor page faults, the faults that
// map memory the process touches for the first time since it was given
// or given back.
type procStat struct{ ticks, minorFaults int64 }

func (p procStat) since(q procStat) procStat {
	return procStat{ticks: p.ticks - q.ticks, minorFaults: p.minorFaults - q.minorFaults}
}

// readProcStat reads pid's counters; zero when pid is 0 or unreadable.
func readProcStat(pid int) procStat {
	if pid == 0 {
		return procStat{}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is field 3 of proc(5), minflt 10, utime 14, stime 15.
	_, rest, _ := bytes.Cut(b, []byte(") "))
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return procStat{}
	}
	field := func(n int) int64 { v, _ := strconv.ParseInt(f[n-3], 10, 64); return v }
	return procStat{ticks: field(14) + field(15), minorFaults: field(10)}
}
