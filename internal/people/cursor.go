package people

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
)

// timeCursor is the position after the last row of a newest-first page
// ordered by creation time and id (audit events, jobs).
type timeCursor struct {
	CreatedAt time.Time `json:"c"`
	ID        uuid.UUID `json:"i"`
}

// encode makes the opaque next_cursor of a page.
func (c timeCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeTimeCursor reads a next_cursor made by encode.
func decodeTimeCursor(s string) (*timeCursor, error) {
	var c timeCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil && c.ID == uuid.Nil {
		err = errors.New("cursor without id")
	}
	return &c, err
}

// trimPage cuts rows, read with one row more than limit, to the page and
// says whether another page follows, with the cursor after the page's last row.
func trimPage[T any](rows []T, limit int, after func(last T) string) (page []T, next string, more bool) {
	if len(rows) <= limit {
		return rows, "", false
	}
	page = rows[:limit]
	return page, after(page[limit-1]), true
}
