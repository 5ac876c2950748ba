// Package migrations holds the versioned SQL schema of invited, one folder
// per dialect, embedded in the binary and applied with goose. The files are
// the schema's source of truth; GORM never alters it.
package migrations

import "embed"

// Postgres is the schema for PostgreSQL.
//
//go:embed postgres/*.sql
var Postgres embed.FS

// SQLite is the schema for the embedded SQLite database.
//
//go:embed sqlite/*.sql
var SQLite embed.FS
