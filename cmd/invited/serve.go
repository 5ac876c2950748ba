package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/config"
)

// serve runs the API and the workers until ctx ends (SIGTERM, SIGINT), then
// stops taking connections, lets in-flight requests and running jobs finish
// within SHUTDOWN_TIMEOUT, and exits.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer, self string) error {
	fs := newFlags("serve")
	withDemo := fs.Bool("demo", false, "seed the demo organization when it is missing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Listen first: the links the service writes point at its own address
	// unless APP_BASE_URL says otherwise, and only the listener knows the
	// port of HTTP_ADDR=:0.
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR: %w", err)
	}
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.MetricsAddr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("METRICS_ADDR: %w", err)
		}
		defer func() { _ = metricsLn.Close() }()
	}
	own := config.LocalURL(ln.Addr().String())
	if cfg.AppBaseURLDefaulted {
		cfg.AppBaseURL = own
	}
	a, err := open(ctx, cfg, log, true)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer a.close()
	defer limitMemory(cfg, a.hasher, log)()
	if *withDemo {
		if err := seedDemo(ctx, a, stdout, own, self); err != nil {
			_ = ln.Close()
			return err
		}
	}
	if cfg.SendGridWebhookPublicKey == "" {
		log.Info("SENDGRID_WEBHOOK_PUBLIC_KEY is not set: POST /webhooks/sendgrid is disabled and delivery stops at \"sent\"")
	}
	httpServer := &http.Server{
		Handler:           a.Server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Workers get their own context: they must outlive ctx long enough to
	// finish the jobs in hand after the signal.
	if err := a.Queue.Start(context.WithoutCancel(ctx)); err != nil {
		_ = ln.Close()
		return err
	}
	if cfg.PprofAddr != "" {
		stopProfiler, err := startProfiler(ctx, cfg.PprofAddr, log)
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer stopProfiler()
	}
	if metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", api.MetricsHandler(a.Metrics))
		metricsServer := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = metricsServer.Serve(metricsLn) }()
		defer func() { _ = metricsServer.Close() }()
		log.Info("metrics listening", "addr", metricsLn.Addr().String())
		fmt.Fprintf(stdout, "metrics on http://%s/metrics\n", metricsLn.Addr())
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()
	if released, err := releaseStartupPages(); err != nil {
		log.Warn("could not release the start-up pages of the binary", "err", err)
	} else {
		log.Debug("released the start-up pages of the binary", "bytes", released)
	}
	log.Info("invited is listening", "addr", ln.Addr().String(), "database", string(cfg.Dialect), "console", cfg.Console)
	fmt.Fprintf(stdout, "invited listening on http://%s\n", ln.Addr())
	if cfg.Console {
		fmt.Fprintf(stdout, "Console: open %s\n", own)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("HTTP server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests and jobs", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	httpErr := httpServer.Shutdown(shutdownCtx)
	queueErr := a.Queue.Stop(shutdownCtx)
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		httpErr = errors.Join(httpErr, err)
	}
	if err := errors.Join(httpErr, queueErr); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
