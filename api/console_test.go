package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
)

func page(e *apitest.Env, path string, accept string) *apitest.Response {
	return e.Do(apitest.Request{Method: http.MethodGet, Path: path, Header: map[string]string{"Accept": accept}})
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// The console's pages are one document under a strict policy: its own
// scripts only, never framed, revalidated on every load; its built files
// are cached for good.
func TestConsoleIsServed(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite, apitest.Options{Console: true})
	index := page(e, "/", browserAccept).Expect(http.StatusOK)
	require.True(t, strings.HasPrefix(index.Header.Get("Content-Type"), "text/html"))
	csp := index.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self';")
	require.NotContains(t, csp, "unsafe-inline")
	require.NotContains(t, csp, "unsafe-eval")
	require.Contains(t, csp, "frame-ancestors 'none'")
	require.Equal(t, "DENY", index.Header.Get("X-Frame-Options"))
	require.Equal(t, "no-referrer", index.Header.Get("Referrer-Policy"), "the activation link's token never leaves in a Referer")
	require.Equal(t, "no-cache", index.Header.Get("Cache-Control"))
	etag := index.Header.Get("ETag")
	require.NotEmpty(t, etag)
	e.Do(apitest.Request{Method: http.MethodGet, Path: "/", Header: map[string]string{"If-None-Match": etag}}).
		Expect(http.StatusNotModified)

	for _, path := range []string{"/activate?token=abc", "/people?status=invite_pending", "/audit", "/sign-in"} {
		require.Equal(t, index.Body, page(e, path, browserAccept).Expect(http.StatusOK).Body, path)
	}

	html := string(index.Body)
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1)
	require.NotEmpty(t, scripts)
	for _, s := range scripts {
		require.Contains(t, s, ` src="/assets/`, "no inline script: %s", s)
	}
	assets := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(html, -1)
	require.Len(t, assets, 2, "one script and one style sheet")
	for _, m := range assets {
		r := e.Get(m[1], "").Expect(http.StatusOK)
		require.Equal(t, "public, max-age=31536000, immutable", r.Header.Get("Cache-Control"), m[1])
		require.Regexp(t, `^(text/javascript|text/css)`, r.Header.Get("Content-Type"), m[1])
	}
	zipped := e.Do(apitest.Request{Method: http.MethodGet, Path: assets[0][1], Header: map[string]string{"Accept-Encoding": "gzip"}}).
		Expect(http.StatusOK)
	require.Equal(t, "gzip", zipped.Header.Get("Content-Encoding"), "the built files travel compressed")
	e.Get("/assets/missing-0000.js", "").ExpectProblem(http.StatusNotFound, "not_found")
	e.Get("/favicon.svg", "").Expect(http.StatusOK)
}

// Only a browser asking for a page gets the console: API clients get the
// API's 404 for unknown paths, and API routes stay the API's.
func TestConsoleLeavesTheAPIAlone(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite, apitest.Options{Console: true})
	page(e, "/no-such-route", "application/json").ExpectProblem(http.StatusNotFound, "not_found")
	page(e, "/no-such-route", "*/*").ExpectProblem(http.StatusNotFound, "not_found")
	page(e, "/no-such-route.js", browserAccept).ExpectProblem(http.StatusNotFound, "not_found")
	page(e, "/users", browserAccept).ExpectProblem(http.StatusUnauthorized, "unauthorized")
	e.Post("/people", "", map[string]any{}).ExpectProblem(http.StatusNotFound, "not_found")

	off := apitest.New(t, config.SQLite)
	page(off, "/", browserAccept).ExpectProblem(http.StatusNotFound, "not_found")
	page(off, "/activate", browserAccept).ExpectProblem(http.StatusNotFound, "not_found")
}
