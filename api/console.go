package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// consoleCSP is the Content-Security-Policy of the console's pages: its own
// scripts and styles only (no inline script), requests to this origin only,
// and never framed.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// console serves the web app built into files: index.html for its pages,
// and the content-hashed files under assets/, cacheable for good.
type console struct {
	files fs.FS
	index []byte
	etag  string
}

func newConsole(files fs.FS) (*console, error) {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(index)
	return &console{files: files, index: index, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}, nil
}

// page answers the app's index.html: every page of the console and the
// activation page is the same document, which routes on the client. It is
// revalidated on every load, so a new release shows at once.
func (cn *console) page(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", consoleCSP)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", cn.etag)
	http.ServeContent(c.Response(), c.Request(), "index.html", time.Time{}, bytes.NewReader(cn.index))
	return nil
}

// asset answers a built file. Their names carry a hash of their content,
// so a name never changes meaning and browsers may keep them a year.
func (cn *console) asset(c echo.Context) error {
	name := strings.TrimPrefix(path.Clean("/"+c.Request().URL.Path), "/")
	cache := "public, max-age=3600"
	if strings.HasPrefix(name, "assets/") {
		cache = "public, max-age=31536000, immutable"
	}
	return serveFile(c, cn.files, name, cache, consoleCSP)
}

// serveFile answers a file of fsys with its caching and security policy,
// or 404 when there is none.
func serveFile(c echo.Context, fsys fs.FS, name, cacheControl, csp string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return echo.ErrNotFound
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	rs, ok := f.(io.ReadSeeker)
	if err != nil || st.IsDir() || !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", cacheControl)
	http.ServeContent(c.Response(), c.Request(), path.Base(name), time.Time{}, rs)
	return nil
}

// fallback answers a GET no route took: a browser asking for a page gets
// the console, which shows its own screen for the address (bookmarks of
// the console's screens work); anything else gets the usual 404 problem.
func (cn *console) fallback(c echo.Context) error {
	r := c.Request()
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && path.Ext(r.URL.Path) == "" &&
		strings.Contains(r.Header.Get(echo.HeaderAccept), "text/html") {
		return cn.page(c)
	}
	return echo.ErrNotFound
}

// consoleRoutes mounts the console: its pages at / and /activate, its
// built files, and the fallback for the console's other screens.
func (s *Server) consoleRoutes(files fs.FS) error {
	cn, err := newConsole(files)
	if err != nil {
		return err
	}
	// The app's scripts come to 420 KB as built, in chunks loaded as the
	// page needs them (the activation page loads none of the console's);
	// compressed they are about a third of that.
	gzip := middleware.Gzip()
	s.e.GET("/", cn.page, gzip)
	s.e.GET("/activate", cn.page, gzip)
	s.e.GET("/assets/*", cn.asset, gzip)
	for _, name := range []string{"/favicon.svg", "/robots.txt"} {
		if _, err := fs.Stat(files, strings.TrimPrefix(name, "/")); err == nil {
			s.e.GET(name, cn.asset, gzip)
		}
	}
	s.e.RouteNotFound("/*", cn.fallback, gzip)
	return nil
}
