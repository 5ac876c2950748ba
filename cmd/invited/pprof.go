package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof" //nolint:gosec // served only on PPROF_ADDR, which is off unless an operator sets it
	"time"
)

// startProfiler serves net/http/pprof on addr, its own listener apart from
// the API, so profiling is never reachable through the API's address. It
// is for measuring (BENCHMARKS.md) and is off unless PPROF_ADDR is set.
func startProfiler(ctx context.Context, addr string, log *slog.Logger) (stop func(), err error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("PPROF_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Warn("profiler listening: unauthenticated, for measurement only", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
