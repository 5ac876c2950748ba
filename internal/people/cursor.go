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
