// Package logging holds what every log line of the service shares: how a
// duration reads, and the id of the request a piece of work started from,
// which travels from a request through the job queue to the workers.
package logging

import (
	"context"
	"io"
	"log/slog"
	"time"
)

// New is the service's logger: JSON lines, or text for a terminal, with
// durations written as people read them.
func New(w io.Writer, format string, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: ReplaceAttr}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// ReplaceAttr writes a duration as Duration does ("12.3ms") instead of
// slog's JSON default, a count of nanoseconds.
func ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, Duration(a.Value.Duration()))
	}
	return a
}

// Duration is d rounded to three significant digits, in Go's notation:
// "12.3ms", "1.23s", "456µs"; whole seconds from 1000s on.
func Duration(d time.Duration) string {
	step := time.Duration(1)
	for limit := 1000 * time.Nanosecond; step < time.Second && (d >= limit || d <= -limit); limit *= 10 {
		step *= 10
	}
	return d.Round(step).String()
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the id of the request that
// the work done under it is for.
func WithRequestID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
