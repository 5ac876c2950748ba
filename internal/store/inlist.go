package store

import (
	"database/sql/driver"
	"strings"

	"github.com/google/uuid"
)

// inList is the condition "expr is one of values". On PostgreSQL the values
// travel as one array parameter joined as a set, which the planner looks up
// through an index or a hash; a list of a thousand parameters would be
// compared one by one against every row of the organization whenever the
// table's statistics are young (right after a large import). SQLite takes a
// plain IN list, which it turns into a lookup table itself.
func (s *Store) inList(expr, pgType string, values []string) (string, any) {
	if s.postgres() {
		return expr + " IN (SELECT unnest(CAST(? AS " + pgType + "[])))", pgArray(values)
	}
	return expr + " IN ?", values
}

// uuidStrings spells ids for inList.
func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// arrayQuote escapes an element of an array literal. Built once: a
// Replacer builds its tables on first use, which per call was a few per cent
// of the service's CPU under load.
var arrayQuote = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// pgArray is a PostgreSQL array literal. As a driver.Valuer it is bound as
// one parameter, not expanded into a list.
type pgArray []string

// Value implements driver.Valuer.
func (a pgArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(arrayQuote.Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}
