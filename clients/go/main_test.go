package invited_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the examples against a real server: the one at
// INVITED_URL (with INVITED_TOKEN), or else the invited binary built
// from the repository this module sits in, serving a fresh embedded
// database seeded with the demo organization.
func TestMain(m *testing.M) {
	if os.Getenv("INVITED_URL") != "" {
		os.Exit(m.Run())
	}
	stop, err := startServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "clients/go:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// startServer builds cmd/invited, runs `invited serve --demo` on a free
// loopback port and sets INVITED_URL and INVITED_TOKEN for the examples.
func startServer() (stop func(), err error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "invited")); err != nil {
		return nil, errors.New("set INVITED_URL and INVITED_TOKEN to run the examples outside the invited repository")
	}
	dir, err := os.MkdirTemp("", "invited-client-")
	if err != nil {
		return nil, err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	bin := filepath.Join(dir, "invited")
	build := exec.Command("go", "build", "-o", bin, "./cmd/invited")
	build.Dir, build.Stderr = root, os.Stderr
	if err := build.Run(); err != nil {
		cleanup()
		return nil, fmt.Errorf("build the server: %w", err)
	}
	env := append(os.Environ(), "DATABASE_URL=sqlite:"+filepath.Join(dir, "invited.db"), "HTTP_ADDR=127.0.0.1:0",
		"LOG_LEVEL=error", "DNS_RESOLVER=off", "SENDGRID_API_KEY=")
	srv := exec.Command(bin, "serve", "--demo")
	srv.Env, srv.Stderr = env, os.Stderr
	out, err := srv.StdoutPipe()
	if err != nil {
		cleanup()
		return nil, err
	}
	if err := srv.Start(); err != nil {
		cleanup()
		return nil, err
	}
	exited := make(chan struct{})
	stop = func() {
		_ = srv.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = srv.Process.Kill()
			<-exited
		}
		cleanup()
	}
	lines := bufio.NewScanner(out)
	url := ""
	for url == "" && lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "invited listening on "); ok {
			url = rest
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out); _ = srv.Wait(); close(exited) }()
	if url == "" {
		stop()
		return nil, errors.New("the server did not start")
	}
	token := exec.Command(bin, "token", "--org", "demo", "--email", "owner@demo.example")
	token.Env, token.Stderr = env, os.Stderr
	tok, err := token.Output()
	if err != nil {
		stop()
		return nil, fmt.Errorf("mint a token: %w", err)
	}
	_ = os.Setenv("INVITED_URL", url)
	_ = os.Setenv("INVITED_TOKEN", strings.TrimSpace(string(tok)))
	return stop, nil
}
