package webhooktest_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/webhooks"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// The receiver accepts what verifies and refuses everything tampered with.
func TestReceiverRejectsWhatDoesNotVerify(t *testing.T) {
	t.Parallel()
	recv := webhooktest.NewReceiver(t)
	secret := webhooks.NewSecret()
	recv.Trust(secret)
	body := []byte(`{"id":"msg_1","type":"ping","created_at":"2026-11-24T16:05:12Z","organization_id":"o","data":{}}`)
	post := func(id string, ts time.Time, payload []byte, sig string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, recv.URL, bytes.NewReader(payload))
		require.NoError(t, err)
		req.Header.Set(standardwebhooks.HeaderWebhookID, id)
		req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
		req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	now := time.Now()
	sig, err := webhooks.Signature("msg_1", now, body, []string{secret})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, post("msg_1", now, body, sig))

	tampered := bytes.Replace(body, []byte("ping"), []byte("pong"), 1)
	require.Equal(t, http.StatusUnauthorized, post("msg_1", now, tampered, sig), "body changed")
	require.Equal(t, http.StatusUnauthorized, post("msg_2", now, body, sig), "id changed")
	require.Equal(t, http.StatusUnauthorized, post("msg_1", now.Add(time.Second), body, sig), "timestamp changed")
	old := now.Add(-10 * time.Minute)
	oldSig, err := webhooks.Signature("msg_1", old, body, []string{secret})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, post("msg_1", old, body, oldSig), "too old: a replayed request")
	other, err := webhooks.Signature("msg_1", now, body, []string{webhooks.NewSecret()})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, post("msg_1", now, body, other), "another secret")
	require.Len(t, recv.Accepted(), 1)
	require.Len(t, recv.Rejected(), 5)
}
