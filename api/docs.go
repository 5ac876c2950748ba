package api

import (
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	swaggerFiles "github.com/swaggo/files/v2"

	"github.com/invitedhq/invited/internal/apperr"
)

// openAPI godoc
//
//	@Summary		The OpenAPI 3 contract
//	@Description	This document. Clients can be generated from it.
//	@ID				getOpenAPI
//	@Tags			Operations
//	@Produce		application/yaml
//	@Success		200	{object}	map[string]any	"This document"
//	@x-examples		{"200": {"openapi": "3.0.3", "info": {"title": "invited", "version": "1.0"}, "paths": {}}}
//	@Router			/openapi.yaml [get]
func (s *Server) openAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "application/yaml", s.openapi)
}

// docsRedirect godoc
//
//	@Summary		Interactive API documentation
//	@Description	Redirects to Swagger UI, which renders /openapi.yaml. Deep links to an operation work: /docs/#/People/listUsers.
//	@ID				getDocs
//	@Tags			Operations
//	@Success		302	"To Swagger UI"
//	@Header			302	{string}	Location	"/docs/"
//	@Router			/docs [get]
func (s *Server) docsRedirect(c echo.Context) error {
	return c.Redirect(http.StatusFound, "/docs/")
}

// swaggerPage is Swagger UI's page and starter script, ours rather than
// the distribution's so that they load /openapi.yaml and run under a
// Content-Security-Policy without inline script.
//
//go:embed swaggerui/index.html swaggerui/invited-docs.js
var swaggerPage embed.FS

// docsCSP lets Swagger UI run its own scripts and fetch the contract;
// its components set inline styles.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// docsUI serves Swagger UI under /docs/: the page at /docs/ (and
// /docs/index.html), the distribution's files from swaggo/files.
func (s *Server) docsUI() echo.HandlerFunc {
	return func(c echo.Context) error {
		name := strings.TrimPrefix(c.Request().URL.Path, "/docs/")
		files := swaggerFiles.FS
		switch name {
		case "", "index.html":
			name, files = "swaggerui/index.html", swaggerPage
		case "invited-docs.js":
			name, files = "swaggerui/invited-docs.js", swaggerPage
		case "swagger-initializer.js", "oauth2-redirect.html":
			return echo.ErrNotFound // the distribution's petstore starter and OAuth page are not ours
		}
		return serveFile(c, files, name, "public, max-age=3600", docsCSP)
	}
}

var problemPage = template.Must(template.New("problem").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} — invited API problems</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .25rem}td,th{text-align:left;padding:.25rem .75rem .25rem 0;vertical-align:top}</style>
</head><body>
{{if .Entries}}<h1>Problem codes</h1>
<p>Every error of the invited API is an RFC 9457 problem (<code>application/problem+json</code>) whose <code>code</code> is one of these.</p>
<table><tr><th>Code</th><th>Status</th><th>Meaning</th></tr>
{{range .Entries}}<tr><td><a href="/problems/{{.Code}}"><code>{{.Code}}</code></a></td><td>{{.Status}}</td><td>{{.Meaning}}</td></tr>
{{end}}</table>
{{else}}<h1>{{.Title}}</h1>
<p>Code <code>{{.Code}}</code>, HTTP status {{.Status}}.</p>
<p>{{.Meaning}}</p>
<p><a href="/problems">All problem codes</a></p>{{end}}
</body></html>`))

// ProblemType documents one problem code.
type ProblemType struct {
	Code    string `json:"code" example:"invite_not_pending"`
	Status  int    `json:"status" example:"409"`
	Title   string `json:"title" example:"User is not invite-pending"`
	Meaning string `json:"meaning" example:"Invitations can only be (re)sent to users whose status is invite_pending."`
}

// ProblemTypeList is the catalogue of problem codes.
type ProblemTypeList struct {
	Data []ProblemType `json:"data"`
}

func problemType(e apperr.Entry) ProblemType {
	return ProblemType{Code: string(e.Code), Status: e.Status, Title: e.Title, Meaning: strings.ReplaceAll(e.Meaning, "`", "")}
}

// problemIndex godoc
//
//	@Summary		The catalogue of problem codes
//	@Description	An HTML page by default; JSON when the Accept header asks for application/json.
//	@ID				listProblemTypes
//	@Tags			Operations
//	@Produce		html,json
//	@Success		200	{object}	ProblemTypeList	"Every problem code"
//	@x-examples		{"200": "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Problem codes — invited API problems</title></head><body>\n<h1>Problem codes</h1>\n<table><tr><th>Code</th><th>Status</th><th>Meaning</th></tr>\n<tr><td><a href=\"/problems/invalid_request\"><code>invalid_request</code></a></td><td>400</td><td>The request is malformed or fails validation…</td></tr>\n</table>\n</body></html>"}
//	@Router			/problems [get]
func (s *Server) problemIndex(c echo.Context) error {
	out := ProblemTypeList{Data: make([]ProblemType, len(apperr.Catalog))}
	for i, e := range apperr.Catalog {
		out.Data[i] = problemType(e)
	}
	if wantsJSON(c) {
		return writeJSON(c, http.StatusOK, out)
	}
	return renderPage(c, problemPageData{ProblemType: ProblemType{Title: "Problem codes"}, Entries: out.Data})
}

// problemPage godoc
//
//	@Summary		One problem code
//	@Description	The documentation a problem's type URI points at. HTML by default; JSON when the Accept header asks for application/json.
//	@ID				getProblemType
//	@Tags			Operations
//	@Produce		html,json
//	@Param			code	path		string		true	"Problem code"	maxLength(64)	example(invite_not_pending)
//	@Success		200		{object}	ProblemType	"The code's documentation"
//	@Failure		404		{object}	Problem		"not_found: no such problem code"
//	@x-examples		{"200": "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>User is not invite-pending — invited API problems</title></head><body>\n<h1>User is not invite-pending</h1>\n<p>Code <code>invite_not_pending</code>, HTTP status 409.</p>\n<p>Invitations can only be (re)sent to users whose status is invite_pending. user_status names the user's current status.</p>\n<p><a href=\"/problems\">All problem codes</a></p>\n</body></html>"}
//	@Router			/problems/{code} [get]
func (s *Server) problemPage(c echo.Context) error {
	for _, e := range apperr.Catalog {
		if string(e.Code) == c.Param("code") {
			if wantsJSON(c) {
				return writeJSON(c, http.StatusOK, problemType(e))
			}
			return renderPage(c, problemPageData{ProblemType: problemType(e)})
		}
	}
	return apperr.New(apperr.NotFound, "No problem code %q; see /problems.", c.Param("code"))
}

func wantsJSON(c echo.Context) bool {
	accept := c.Request().Header.Get(echo.HeaderAccept)
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// problemPageData is what the problem page template shows: one code, or
// with Entries the whole catalogue.
type problemPageData struct {
	ProblemType
	Entries []ProblemType
}

func renderPage(c echo.Context, data problemPageData) error {
	var b strings.Builder
	if err := problemPage.Execute(&b, data); err != nil {
		return apperr.Internal("api.renderPage", err)
	}
	return c.HTML(http.StatusOK, b.String())
}
