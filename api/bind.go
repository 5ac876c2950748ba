package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/input"
	"github.com/invitedhq/invited/internal/people"
)

// decodeJSON reads a JSON request body into dst strictly (input.DecodeJSON:
// one JSON object, unknown fields refused, every string valid UTF-8
// without NUL) after checking its media type. It returns the raw body, the
// request's fingerprint for idempotency.
func decodeJSON(c echo.Context, dst any) ([]byte, error) {
	if err := requireMediaType(c, "application/json"); err != nil {
		return nil, err
	}
	body, err := readBody(c)
	if err != nil {
		return nil, err
	}
	return body, input.DecodeJSON(body, dst)
}

// readBody reads the request body within the route's limit (limitBody):
// the one place a body is read, so every route refuses an oversize body alike.
func readBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge(mbe.Limit)
	case err != nil:
		return nil, apperr.New(apperr.InvalidRequest, "The request body could not be read.")
	}
	return body, nil
}

// limitBody refuses a request body over n bytes with a problem that names
// the limit, before it is read when the client announced its length, or
// while it is read.
func limitBody(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return tooLarge(n)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			return next(c)
		}
	}
}

func tooLarge(n int64) error {
	return apperr.New(apperr.PayloadTooLarge, "The request body is larger than the %s this route accepts.", byteSize(n))
}

// byteSize writes a body limit for people: 1 MiB, 512 KiB, 100 bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// requireMediaType refuses a body whose Content-Type is none of allowed.
func requireMediaType(c echo.Context, allowed ...string) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (slices.Contains(allowed, mt) || (slices.Contains(allowed, "application/json") && strings.HasSuffix(mt, "+json"))) {
		return nil
	}
	if ct == "" {
		ct = "none"
	}
	return apperr.New(apperr.UnsupportedMediaType, "Content-Type must be %s, got %s.", strings.Join(allowed, " or "), ct)
}

// requireFields refuses a request whose named fields are empty, listing
// every one: pairs of field name and value.
func requireFields(pairs ...string) error {
	var errs []apperr.FieldError
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			errs = append(errs, apperr.Field(pairs[i], "required", "%s is required", pairs[i]))
		}
	}
	if len(errs) > 0 {
		return apperr.Invalid(errs...)
	}
	return nil
}

// listParams are the query parameters that may be repeated, as an
// alternative to a comma-separated list.
var listParams = []string{"status", "role", "delivery_status", "verdict"}

// allowQuery refuses query parameters the route does not know, so that a
// typo such as ?stauts= fails loudly instead of being silently ignored, and
// a single-valued parameter given twice, which would be ambiguous.
func allowQuery(c echo.Context, known ...string) error {
	var errs []apperr.FieldError
	for name, values := range c.QueryParams() {
		switch {
		case !slices.Contains(known, name):
			errs = append(errs, apperr.Field(name, "unknown_parameter", "%s is not a query parameter of this route; allowed: %s",
				name, strings.Join(known, ", ")))
		case len(values) > 1 && !slices.Contains(listParams, name):
			errs = append(errs, apperr.Field(name, "repeated_parameter", "%s may be given only once", name))
		}
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return apperr.Invalid(errs...)
	}
	return nil
}

// checkQuery refuses a request whose query string holds anything but text
// (input.Text: invalid UTF-8, NUL), naming the parameter. It runs before
// every route, so no handler ever reads a query value that is not text.
func checkQuery() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().URL.RawQuery == "" {
				return next(c)
			}
			var errs []apperr.FieldError
			for name, values := range c.QueryParams() {
				if fe := input.Text("query parameter name", name); fe != nil {
					errs = append(errs, apperr.Field(printable(name), fe.Code, "a query parameter's name is not text: %s", fe.Message))
					continue
				}
				for _, v := range values {
					if fe := input.Text(name, v); fe != nil {
						errs = append(errs, *fe)
						break
					}
				}
			}
			if len(errs) > 0 {
				slices.SortFunc(errs, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
				return apperr.Invalid(errs...)
			}
			return next(c)
		}
	}
}

// printable makes a name that is not text fit to quote back.
func printable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\\0")
}

// query reads typed values out of the query string: the wire format
// (comma-separated lists, RFC 3339 times, integers, UUIDs) is this layer's
// to read, what the values mean is the service's to judge. It collects
// every problem by parameter name; err reports them together.
type query struct {
	values url.Values
	errs   []apperr.FieldError
}

func newQuery(c echo.Context) *query { return &query{values: c.QueryParams()} }

// list reads a repeated or comma-separated parameter, empty items dropped.
func queryList[T ~string](q *query, name string) []T {
	var out []T
	for _, v := range q.values[name] {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, T(part))
			}
		}
	}
	return out
}

func (q *query) string(name string) string { return q.values.Get(name) }

// time reads an RFC 3339 time, nil when absent.
func (q *query) time(name string) *time.Time {
	return parseTime(name, q.values.Get(name), &q.errs)
}

// limit reads a page size, 0 when absent. The service judges the range;
// what is no page size at all (not a whole number, or 0, which would read
// as the default) is refused here with the service's own words.
func (q *query) limit(name string, max int) int {
	raw := q.values.Get(name)
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n == 0 {
		q.errs = append(q.errs, people.LimitError(name, raw, max))
		return 0
	}
	return n
}

// uuid reads an id, nil when absent.
func (q *query) uuid(name string) *uuid.UUID {
	raw := q.values.Get(name)
	if raw == "" {
		return nil
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		q.errs = append(q.errs, apperr.Field(name, "invalid", "%s must be a UUID, the id of a user of the organization", name))
		return nil
	}
	return &id
}

func (q *query) err() error {
	if len(q.errs) > 0 {
		return apperr.Invalid(q.errs...)
	}
	return nil
}

// parseTime reads an RFC 3339 time named field, nil when raw is empty; a
// problem is added to errs.
func parseTime(field, raw string, errs *[]apperr.FieldError) *time.Time {
	if raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		*errs = append(*errs, apperr.Field(field, "invalid", "%s must be an RFC 3339 time such as 2026-11-01T00:00:00Z", field))
		return nil
	}
	return &t
}

// encodeJSON writes v without the HTML escaping Go applies by default,
// followed by a newline.
func encodeJSON(w io.Writer, v any) error {
	if f, ok := v.(fastJSON); ok {
		return withJSON(f, func(b []byte) error {
			_, err := w.Write(b)
			return err
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeJSON answers status with v as JSON.
func writeJSON(c echo.Context, status int, v any) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	if f, ok := v.(fastJSON); ok {
		// The whole body is known before the first byte goes out: saying its
		// length spares chunked encoding and its extra writes.
		return withJSON(f, func(b []byte) error {
			h.Set(echo.HeaderContentLength, strconv.Itoa(len(b)))
			c.Response().WriteHeader(status)
			_, err := c.Response().Write(b)
			return err
		})
	}
	c.Response().WriteHeader(status)
	return encodeJSON(c.Response(), v)
}

// withJSON hands fn the JSON of f and a newline, in a recycled buffer that
// fn must not keep.
func withJSON(f fastJSON, fn func(b []byte) error) error {
	buf := jsonBuffers.Get().(*[]byte)
	b := append(f.appendJSON((*buf)[:0]), '\n')
	err := fn(b)
	if cap(b) <= 1<<20 { // a rare huge page is not worth keeping
		*buf = b
		jsonBuffers.Put(buf)
	}
	return err
}

// marshal encodes v like writeJSON does, for responses kept for replay.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeJSON(&b, v); err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return b.Bytes(), nil
}
