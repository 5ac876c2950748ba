package api

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/invitedhq/invited/internal/people"
)

// EventViews encodes the data of webhook events with the API's own views,
// so that a webhook carries a User, Invite or Job exactly as GET returns it.
type EventViews struct{}

var _ people.EventViews = EventViews{}

// AppendUser appends the User view of u.
func (EventViews) AppendUser(b []byte, u people.User, now time.Time) []byte {
	return userView(u, now).appendJSON(b)
}

// AppendInvite appends the Invite view of inv.
func (EventViews) AppendInvite(b []byte, inv people.Invite, now time.Time) []byte {
	return inviteView(inv, now).appendJSON(b)
}

// AppendJob appends the Job view of j, as encodeJSON writes it.
func (EventViews) AppendJob(b []byte, j people.Job) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jobView(j)); err != nil {
		return append(b, "null"...) // a view of plain values always encodes
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
