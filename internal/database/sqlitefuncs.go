package database

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
)

// SQLiteLower names an SQL function of the embedded SQLite database that
// lower-cases text the way Go's strings.ToLower does. SQLite's own lower()
// folds ASCII letters only, so a search for "émile" would miss "Émile";
// queries that compare against strings lower-cased in Go use this instead.
const SQLiteLower = "unicode_lower"

// SQLiteWeekStart names an SQL function of the embedded SQLite database:
// week_start(time, zone) is the date (YYYY-MM-DD) of the Monday that
// begins the ISO week of the stored time in the IANA time zone, as
// PostgreSQL's date_trunc('week', time AT TIME ZONE zone) does. SQLite's
// own date functions know no time zone but UTC and the host's.
const SQLiteWeekStart = "week_start"

// sqliteTimeLayout is how times are stored in the SQLite database
// (_time_format=sqlite).
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

func init() {
	// Registered once per process, before any connection opens: the driver
	// adds them to every connection it opens afterwards.
	gosqlite.MustRegisterDeterministicScalarFunction(SQLiteLower, 1, unicodeLower)
	gosqlite.MustRegisterDeterministicScalarFunction(SQLiteWeekStart, 2, weekStart)
}

func weekStart(_ *gosqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	var t time.Time
	switch v := args[0].(type) {
	case nil:
		return nil, nil
	case time.Time:
		t = v
	case string, []byte:
		var err error
		if t, err = time.Parse(sqliteTimeLayout, fmt.Sprint(text(v))); err != nil {
			return nil, fmt.Errorf("%s: %w", SQLiteWeekStart, err)
		}
	default:
		return nil, fmt.Errorf("%s: want a time, got %T", SQLiteWeekStart, v)
	}
	loc, err := time.LoadLocation(fmt.Sprint(text(args[1])))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SQLiteWeekStart, err)
	}
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return t.AddDate(0, 0, -back).Format(time.DateOnly), nil
}

// text is a text argument as a string.
func text(v driver.Value) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
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
