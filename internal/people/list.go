package people

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
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

// UserQuery is a listing request in typed values. The caller reads its
// own wire format into it (the API: comma-separated lists, RFC 3339 times,
// integers); the service judges what the values mean (Filter).
type UserQuery struct {
	Statuses         []Status
	Roles            []Role
	DeliveryStatuses []DeliveryStatus
	// Q is a substring of the email, the first or last name or the full name
	// ("first last"), in any case; never one straddling email and name.
	Q             string
	InvitedBefore *time.Time
	// InvitedBy keeps users whose latest invitation this people manager sent.
	InvitedBy *uuid.UUID
	// Sort is the order; empty is SortNewest.
	Sort UserSort
	// Limit is the page size; zero is DefaultPageSize.
	Limit int
	// Cursor is the next_cursor of the previous page of the same query.
	Cursor string
	// Into, when set, is the memory the page is read into (PageBuffer).
	Into *PageBuffer
}

// PageBuffer is memory a page of users is read into, lent by the caller
// of a listing, who reuses it for another page once done with this one:
// the page's users, their invitations, and the slabs of their optional
// times and ids. A page's users and invitations were half of the bytes a
// listing allocated, and the collector's work grows with those bytes. The
// store leaves in it what it read into, grown as the page needed; the
// page's users point into it until the buffer is used again.
type PageBuffer struct {
	Users   []User
	Invites []Invite
	Times   []time.Time
	IDs     []uuid.UUID
}

// UserFilter is a validated listing request.
type UserFilter struct {
	Statuses         []Status
	Roles            []Role
	DeliveryStatuses []DeliveryStatus
	// Query is a lower-cased substring of the email or the full name.
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
	// Into is UserQuery.Into.
	Into *PageBuffer
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

// Filter validates a listing request; every bad value is reported with
// the values that are allowed.
func (q UserQuery) Filter() (UserFilter, error) {
	var (
		f    = UserFilter{Sort: SortNewest, Limit: DefaultPageSize, InvitedBefore: q.InvitedBefore, InvitedBy: q.InvitedBy, Into: q.Into}
		errs []apperr.FieldError
		err  *apperr.FieldError
	)
	if f.Statuses, err = allowedList("status", q.Statuses, Statuses); err != nil {
		errs = append(errs, *err)
	}
	if f.Roles, err = allowedList("role", q.Roles, Roles); err != nil {
		errs = append(errs, *err)
	}
	if f.DeliveryStatuses, err = allowedList("delivery_status", q.DeliveryStatuses, DeliveryStatuses); err != nil {
		errs = append(errs, *err)
	}
	f.Query = strings.ToLower(strings.TrimSpace(q.Q))
	if n := len([]rune(f.Query)); n > MaxQueryLength {
		errs = append(errs, apperr.Field("q", "too_long", "q must be at most %d characters, got %d", MaxQueryLength, n))
	}
	if f.InvitedBefore != nil {
		t := f.InvitedBefore.UTC()
		f.InvitedBefore = &t
	}
	if q.Sort != "" {
		if !slices.Contains(UserSorts, q.Sort) {
			errs = append(errs, apperr.Field("sort", "invalid", "sort must be one of %s, got %q", joinValues(UserSorts), q.Sort))
		} else {
			f.Sort = q.Sort
		}
	}
	if q.Limit != 0 {
		if f.Limit = q.Limit; q.Limit < 1 || q.Limit > MaxPageSize {
			errs = append(errs, LimitError("limit", strconv.Itoa(q.Limit), MaxPageSize))
		}
	}
	if len(errs) > 0 {
		return UserFilter{}, apperr.Invalid(errs...)
	}
	if q.Cursor != "" {
		c, cerr := decodeCursor(q.Cursor)
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

// allowedList checks that every value is allowed, and returns them sorted
// without duplicates. The message speaks of the parameter as clients
// write it, a comma-separated list.
func allowedList[T ~string](field string, values, allowed []T) ([]T, *apperr.FieldError) {
	var out []T
	for _, v := range values {
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
