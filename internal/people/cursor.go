package people

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/input"
)

// MaxCursorLength bounds the opaque cursors a listing accepts, in
// characters; every next_cursor the service makes is far shorter.
const MaxCursorLength = 512

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
	if len(s) > MaxCursorLength {
		return &c, errors.New("cursor too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = input.DecodeJSON(b, &c)
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

// pageParams checks the limit and cursor of a newest-first listing: limit
// 1 to MaxPageSize (0 is DefaultPageSize), and a next_cursor that encode
// made. Problems are reported against the named fields.
func pageParams(limitField string, limit int, cursorField, rawCursor string) (int, *timeCursor, []apperr.FieldError) {
	var errs []apperr.FieldError
	switch {
	case limit == 0:
		limit = DefaultPageSize
	case limit < 1 || limit > MaxPageSize:
		errs = append(errs, LimitError(limitField, strconv.Itoa(limit), MaxPageSize))
	}
	var after *timeCursor
	if rawCursor != "" {
		c, err := decodeTimeCursor(rawCursor)
		if err != nil {
			errs = append(errs, apperr.Field(cursorField, "invalid", "%s is not a next_cursor of this listing", cursorField))
		}
		after = c
	}
	return limit, after, errs
}

// LimitError is the problem of a page size outside 1 to max, however the
// caller read it (raw is the value as written).
func LimitError(field, raw string, max int) apperr.FieldError {
	return apperr.Field(field, "invalid", "%s must be a whole number from 1 to %d, got %q", field, max, raw)
}
