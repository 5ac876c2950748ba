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

// Swagger UI opens on the published contract: its page loads only files
// the server has, runs no inline script, and nothing points at a doc.json.
func TestSwaggerUIServesTheContract(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	page := e.Get("/docs/", "").Expect(http.StatusOK)
	require.Equal(t, page.Body, e.Get("/docs/index.html", "").Expect(http.StatusOK).Body)
	csp := page.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self';")
	require.Contains(t, csp, "frame-ancestors 'none'")
	html := string(page.Body)
	require.NotRegexp(t, `<script>`, html, "no inline script")
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(html, -1)
	require.NotEmpty(t, refs)
	for _, m := range refs {
		require.True(t, strings.HasPrefix(m[1], "/docs/"), m[1])
		e.Get(m[1], "").Expect(http.StatusOK)
	}
	starter := string(e.Get("/docs/invited-docs.js", "").Expect(http.StatusOK).Body)
	require.Contains(t, starter, `url: "/openapi.yaml"`)
	require.Contains(t, starter, "deepLinking: true")
	require.NotContains(t, starter+html, "doc.json")
	e.Get("/docs/doc.json", "").ExpectProblem(http.StatusNotFound, "not_found")
	e.Get("/docs/swagger-initializer.js", "").ExpectProblem(http.StatusNotFound, "not_found")
}
