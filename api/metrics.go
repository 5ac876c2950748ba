package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/invitedhq/invited/internal/apperr"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// observe counts requests and their latency per route, method and status.
// Labels use the route pattern, not the path, so ids don't explode them.
func (s *Server) observe() echo.MiddlewareFunc {
	m := httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invited_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "invited_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	s.metrics.MustRegister(m.requests, m.duration)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil {
				status = s.statusOf(err)
			}
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(route, c.Request().Method).Observe(time.Since(start).Seconds())
			return err
		}
	}
}

// statusOf is the HTTP status an error will be answered with: the metrics
// count a failed request before the error handler has written it.
func (s *Server) statusOf(err error) int { return apperr.Lookup(s.appError(err).Code).Status }

// metricsHandler godoc
//
//	@Summary		Prometheus metrics
//	@Description	Request counts and latencies per route, method and status; email jobs, SendGrid events, outbound webhooks and bulk job items by outcome; the job queue's depth and oldest job; the database pool and the password hasher; in the Prometheus text exposition format. docs/operations.md lists every metric. With METRICS_ADDR set, served on that address only, not here.
//	@ID				getMetrics
//	@Tags			Operations
//	@Produce		plain
//	@Success		200	{string}	string	"The metrics"
//	@x-examples		{"200": "# HELP invited_http_requests_total HTTP requests by route, method and status.\n# TYPE invited_http_requests_total counter\ninvited_http_requests_total{method=\"GET\",route=\"/users\",status=\"200\"} 42\n"}
//	@Router			/metrics [get]
func (s *Server) metricsHandler() echo.HandlerFunc {
	return echo.WrapHandler(MetricsHandler(s.metrics))
}

// MetricsHandler serves reg in the Prometheus text format, at /metrics of
// the API or on an address of its own (METRICS_ADDR).
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
