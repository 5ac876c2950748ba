// Package web is the console and the activation page: a React app whose
// Vite build (dist/, made by `make web` and committed) is embedded in the
// binary and served at / and /activate.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Files is the built app: index.html, favicon.svg and the content-hashed
// files under assets/.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("web: " + err.Error()) // dist is a literal directory of the embed
	}
	return sub
}

// Console is the app to serve when on (CONSOLE=on), and nil otherwise.
func Console(on bool) fs.FS {
	if !on {
		return nil
	}
	return Files()
}
