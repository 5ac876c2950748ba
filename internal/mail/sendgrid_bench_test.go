package mail_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/mail"
)

// BenchmarkSendGridSend measures what one provider call of a coalesced
// batch costs the service (validation, rendering, the request's JSON, the
// HTTP round trip), per call of 64 recipients, against a server that only
// reads the body and accepts it: the fake's own work is not the service's.
//
//	go test -run '^$' -bench SendGridSend -benchmem ./internal/mail/
func BenchmarkSendGridSend(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Message-Id", "bench")
		w.WriteHeader(http.StatusAccepted)
	}))
	b.Cleanup(srv.Close)
	sg, err := mail.NewSendGrid(mail.SendGridConfig{APIKey: "SG.bench", BaseURL: srv.URL, From: from})
	require.NoError(b, err)
	batch := batchOf(64, time.Now())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sg.Send(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
}
