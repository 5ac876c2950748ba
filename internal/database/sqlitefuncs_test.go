package database_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/testdb"
)

// SQLite's lower() folds ASCII only; the registered function folds like Go.
func TestSQLiteLowerFoldsUnicode(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, config.SQLite)
	for _, tc := range []struct {
		in   any
		want any
	}{
		{"ÉMILE Zola", "émile zola"},
		{"ÇA VA Ölçü ΣΊΣΥΦΟΣ", "ça va ölçü σίσυφοσ"},
		{[]byte("ÅSA"), "åsa"},
		{nil, nil},
	} {
		var got any
		require.NoError(t, db.SQL.QueryRow("SELECT "+database.SQLiteLower+"(?)", tc.in).Scan(&got))
		if b, ok := got.([]byte); ok {
			got = string(b)
		}
		require.Equal(t, tc.want, got, "%v", tc.in)
	}

	var builtin string
	require.NoError(t, db.SQL.QueryRow("SELECT lower('ÉMILE')").Scan(&builtin))
	require.Equal(t, "Émile", builtin, "SQLite's own lower() leaves non-ASCII letters alone, hence the function")
}

// week_start agrees with PostgreSQL's date_trunc('week', t AT TIME ZONE zone).
func TestSQLiteWeekStartInTimeZone(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, config.SQLite)
	for _, tc := range []struct {
		at, zone, want string
	}{
		{"2026-11-23 00:00:00+00:00", "UTC", "2026-11-23"},              // a Monday
		{"2026-11-29 23:59:59.999999+00:00", "UTC", "2026-11-23"},       // the Sunday after
		{"2026-11-29 23:30:00+00:00", "Europe/Paris", "2026-11-30"},     // already Monday in Paris
		{"2026-11-30 03:00:00+00:00", "America/New_York", "2026-11-23"}, // still Sunday in New York
	} {
		var got string
		require.NoError(t, db.SQL.QueryRow("SELECT "+database.SQLiteWeekStart+"(?, ?)", tc.at, tc.zone).Scan(&got))
		require.Equal(t, tc.want, got, "%s in %s", tc.at, tc.zone)
	}
}
