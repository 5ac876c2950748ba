package database

import (
	"database/sql/driver"
	"fmt"
	"strings"

	gosqlite "github.com/glebarez/go-sqlite"
)

// SQLiteLower names an SQL function of the embedded SQLite database that
// lower-cases text the way Go's strings.ToLower does. SQLite's own lower()
// folds ASCII letters only, so a search for "émile" would miss "Émile";
// queries that compare against strings lower-cased in Go use this instead.
const SQLiteLower = "unicode_lower"

func init() {
	// Registered once per process, before any connection opens: the driver
	// adds it to every connection it opens afterwards.
	gosqlite.MustRegisterDeterministicScalarFunction(SQLiteLower, 1, unicodeLower)
}

func unicodeLower(_ *gosqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case nil:
		return nil, nil
	case string:
		return strings.ToLower(v), nil
	case []byte:
		return strings.ToLower(string(v)), nil
	default:
		return nil, fmt.Errorf("%s: want text, got %T", SQLiteLower, v)
	}
}
