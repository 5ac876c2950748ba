package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/testdb"
)

// The console in a real Chromium against the real binary, on each
// database: the seed's quick start and every screen (web/e2e/*.test.ts).
// SCREENSHOTS=dir keeps the screenshots the suite takes (make screenshots
// writes docs/images).
func TestBrowser(t *testing.T) {
	t.Parallel()
	requireTools(t, "..")
	browser := chromium(t)
	shots := os.Getenv("SCREENSHOTS")
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			site := startSite(t, d)
			dir := t.TempDir()
			if shots != "" && d == config.SQLite {
				abs, err := filepath.Abs(filepath.Join("..", "..", shots))
				if err != nil {
					t.Fatal(err)
				}
				dir = abs
			}
			site.runSuite(t, "..", "e2e", "CHROMIUM="+browser, "SCREENSHOT_DIR="+dir)
		})
	}
}

// The TypeScript client's own tests (clients/typescript/test) against the
// real binary.
func TestTypeScriptClient(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "clients", "typescript")
	requireTools(t, dir)
	startSite(t, config.SQLite).runSuite(t, dir, "test")
}
