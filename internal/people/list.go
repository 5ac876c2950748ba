package people

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/input"
)

// UserSort is an order of GET /users.
type UserSort string

// User sort orders; every one ends with the id so the order is total.
const (
	SortNewest       UserSort = "-created_at"
	SortOldest       UserSort = "created_at"
	SortEmail        UserSort = "email"
	SortLastInvitedD UserSort = "-last_invited_at"
)

// UserSorts lists the sort orders, default first.
var UserSorts = []UserSort{SortNewest, SortOldest, SortEmail, SortLastInvitedD}

// Listing limits.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
	MaxQueryLength  = 100
)

// ListUsersParams is a listing request as the client wrote it.
type ListUsersParams struct {
	Status         string
	Role           string
	DeliveryStatus string
	Q              string
	InvitedBefore  string
	InvitedBy      string
	Sort           string
	Limit          string
	Cursor         string
}

// UserFilter is a validated listing request.
type UserFilter struct {
	Statuses         []Status
	Roles            []Role
	DeliveryStatuses []DeliveryStatus
	// Query is a lower-cased substring of email, first or last name.
	Query         string
	InvitedBefore *time.Time
	// InvitedBy keeps users whose latest invitation this people manager sent.
	InvitedBy *uuid.UUID
	// UserIDs restricts the listing to these users (bulk selections).
	UserIDs []uuid.UUID
	Sort    UserSort
	// Limit is how many rows the store returns.
	Limit int
	After *UserCursor
}

// UserCursor is the position after the last row of a page.
type UserCursor struct {
	CreatedAt     time.Time  `json:"c,omitzero"`
	Email         string     `json:"e,omitempty"`
	LastInvitedAt *time.Time `json:"l,omitempty"`
	ID            uuid.UUID  `json:"i"`
	// Sort and Filter bind the cursor to the query that produced it.
	Sort   UserSort `json:"s"`
	Filter uint32   `json:"f"`
}

// UserPage is one page of a listing.
type UserPage struct {
	Users      []User
	NextCursor string
	HasMore    bool
}

// ParseUserFilter validates a listing request; every bad value is reported
// with the values that are allowed.
func ParseUserFilter(p ListUsersParams) (UserFilter, error) {
	var (
		f    = UserFilter{Sort: SortNewest, Limit: DefaultPageSize}
		errs []apperr.FieldError
		err  *apperr.FieldError
	)
	if f.Statuses, err = parseList("status", p.Status, Statuses); err != nil {
		errs = append(errs, *err)
	}
	if f.Roles, err = parseList("role", p.Role, Roles); err != nil {
		errs = append(errs, *err)
	}
	if f.DeliveryStatuses, err = parseList("delivery_status", p.DeliveryStatus, DeliveryStatuses); err != nil {
		errs = append(errs, *err)
	}
	f.Query = strings.ToLower(strings.TrimSpace(p.Q))
	if n := len([]rune(f.Query)); n > MaxQueryLength {
		errs = append(errs, apperr.Field("q", "too_long", "q must be at most %d characters, got %d", MaxQueryLength, n))
	}
	if p.InvitedBefore != "" {
		t, perr := time.Parse(time.RFC3339, p.InvitedBefore)
		if perr != nil {
			errs = append(errs, apperr.Field("invited_before", "invalid", "invited_before must be an RFC 3339 time such as 2026-11-01T00:00:00Z"))
		} else {
			t = t.UTC()
			f.InvitedBefore = &t
		}
	}
	if p.InvitedBy != "" {
		id, perr := uuid.Parse(p.InvitedBy)
		if perr != nil {
			errs = append(errs, apperr.Field("invited_by", "invalid", "invited_by must be the id (a UUID) of a user of the organization"))
		} else {
			f.InvitedBy = &id
		}
	}
	if p.Sort != "" {
		if !slices.Contains(UserSorts, UserSort(p.Sort)) {
			errs = append(errs, apperr.Field("sort", "invalid", "sort must be one of %s, got %q", joinValues(UserSorts), p.Sort))
		} else {
			f.Sort = UserSort(p.Sort)
		}
	}
	if p.Limit != "" {
		if f.Limit = parseLimit(p.Limit, MaxPageSize); f.Limit == 0 {
			errs = append(errs, limitError("limit", p.Limit, MaxPageSize))
		}
	}
	if len(errs) > 0 {
		return UserFilter{}, apperr.Invalid(errs...)
	}
	if p.Cursor != "" {
		c, cerr := decodeCursor(p.Cursor)
		if cerr != nil || c.Sort != f.Sort || c.Filter != f.fingerprint() {
			return UserFilter{}, apperr.Invalid(apperr.Field("cursor", "invalid",
				"cursor is not a next_cursor of this listing; repeat the query without it, keeping the same filters and sort"))
		}
		f.After = &c
	}
	return f, nil
}

// cursorAfter is the cursor that continues after u.
func (f UserFilter) cursorAfter(u User) string {
	c := UserCursor{ID: u.ID, Sort: f.Sort, Filter: f.fingerprint()}
	switch f.Sort {
	case SortEmail:
		c.Email = u.Email
	case SortLastInvitedD:
		c.LastInvitedAt = u.LastInvitedAt
	default:
		c.CreatedAt = u.CreatedAt
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// fingerprint identifies the filters so a cursor can't be replayed against
// a different query, where it would silently skip or repeat rows.
func (f UserFilter) fingerprint() uint32 {
	h := fnv.New32a()
	fmt.Fprintf(h, "%v|%v|%v|%s|%v|%v", f.Statuses, f.Roles, f.DeliveryStatuses, f.Query, f.InvitedBefore, f.InvitedBy)
	return h.Sum32()
}

func decodeCursor(s string) (UserCursor, error) {
	var c UserCursor
	if len(s) > MaxCursorLength {
		return c, fmt.Errorf("cursor too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	if err := input.DecodeJSON(b, &c); err != nil {
		return c, err
	}
	if c.ID == uuid.Nil {
		return c, fmt.Errorf("cursor without id")
	}
	return c, nil
}

// parseList parses a comma-separated list of allowed values, dropping duplicates.
func parseList[T ~string](field, raw string, allowed []T) ([]T, *apperr.FieldError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var out []T
	for _, part := range strings.Split(raw, ",") {
		v := T(strings.TrimSpace(part))
		if !slices.Contains(allowed, v) {
			fe := apperr.Field(field, "invalid", "%s must be a comma-separated list of %s, got %q", field, joinValues(allowed), string(v))
			return nil, &fe
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out, nil
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
