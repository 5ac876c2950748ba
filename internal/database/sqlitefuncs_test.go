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
