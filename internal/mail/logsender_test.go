package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLogSenderLogsOneRecordPerRecipient(t *testing.T) {
	t.Parallel()

	var buf bytes.Buffer
	sender := NewLogSender(slog.New(slog.NewJSONHandler(&buf, nil)))
	b := testBatch(testRecipient(0), testRecipient(1))

	receipt, err := sender.Send(t.Context(), b)
	require.NoError(t, err)
	require.Empty(t, receipt.MessageID)

	dec := json.NewDecoder(&buf)
	for _, r := range b.Recipients {
		var rec map[string]any
		require.NoError(t, dec.Decode(&rec))
		require.Equal(t, "INFO", rec["level"])
		require.Equal(t, r.Email, rec["to"])
		require.Equal(t, r.Link, rec["link"])
		require.Equal(t, r.InviteID, rec["invite_id"])
		require.Equal(t, "Grace Hopper invited you to Northwind Academy", rec["subject"])
		require.Contains(t, rec["text"], "Hello "+r.FirstName+",")
		require.Contains(t, rec["text"], r.Link)
	}
	require.False(t, dec.More(), "one record per recipient, no more")
}

func TestLogSenderErrors(t *testing.T) {
	t.Parallel()

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	badLink := testRecipient(0)
	badLink.Link = "not a link"

	tests := []struct {
		name      string
		ctx       context.Context
		b         Batch
		permanent bool
		is        error
	}{
		{name: "empty batch", ctx: t.Context(), b: testBatch(), permanent: true, is: ErrInvalidBatch},
		{name: "bad link logs nothing", ctx: t.Context(), b: testBatch(testRecipient(0), badLink), permanent: true, is: ErrInvalidBatch},
		{name: "cancelled", ctx: cancelled, b: testBatch(testRecipient(0)), is: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			sender := NewLogSender(slog.New(slog.NewTextHandler(&buf, nil)))
			_, err := sender.Send(tt.ctx, tt.b)
			require.ErrorIs(t, err, tt.is)
			sendErr, isSendErr := errors.AsType[*Error](err)
			require.Equal(t, tt.permanent, isSendErr && sendErr.Permanent)
			require.Zero(t, buf.Len())
		})
	}
}
