package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/apperr"
)

// decodeJSON reads a JSON request body into dst strictly: the content type
// must be JSON, unknown fields and trailing data are refused, and every
// error says where the problem is. It returns the raw body for idempotency.
func decodeJSON(c echo.Context, dst any) ([]byte, error) {
	if err := requireMediaType(c, "application/json"); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		var mbe *http.MaxBytesError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge || errors.As(err, &mbe) {
			return nil, apperr.New(apperr.PayloadTooLarge, "The request body is larger than the 1 MiB this route accepts.")
		}
		return nil, apperr.New(apperr.InvalidRequest, "The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, apperr.New(apperr.InvalidRequest, "A JSON request body is required.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, apperr.New(apperr.InvalidRequest, "The request body must hold exactly one JSON value.")
	}
	return body, nil
}

func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return apperr.New(apperr.InvalidRequest, "The request body is not valid JSON (error at byte %d).", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.InvalidRequest, "The request body is not valid JSON (it ends too early).")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.New(apperr.InvalidRequest, "The request body must be a JSON object.")
		}
		return apperr.Invalid(apperr.Field(field, "invalid_type", "%s must be %s", field, jsonKind(typ.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid(apperr.Field(field, "unknown_field", "%s is not a field of this request", field))
	}
	return apperr.New(apperr.InvalidRequest, "The request body could not be decoded.")
}

func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	default:
		return "a number"
	}
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

// queryList joins a repeated or comma-separated query parameter.
func queryList(c echo.Context, name string) string {
	return strings.Join(c.QueryParams()[name], ",")
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
