package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDurationHasThreeSignificantDigits(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0:                                        "0s",
		850 * time.Nanosecond:                    "850ns",
		12_345 * time.Nanosecond:                 "12.3µs",
		456_789 * time.Nanosecond:                "457µs",
		12_345_678 * time.Nanosecond:             "12.3ms",
		1_234_567_890 * time.Nanosecond:          "1.23s",
		20 * time.Second:                         "20s",
		(90*time.Minute + 1234*time.Millisecond): "1h30m1s",
	} {
		require.Equal(t, want, Duration(d), "%d", d)
	}
}

func TestJSONLinesWriteDurationsAsText(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	New(&b, "json", nil).Info("done", "duration", 12_345_678*time.Nanosecond)
	var line map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &line))
	require.Equal(t, "12.3ms", line["duration"])
}

func TestRequestIDTravelsInTheContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	require.Empty(t, RequestID(ctx))
	require.Equal(t, ctx, WithRequestID(ctx, ""), "no id, no new context")
	require.Equal(t, "req-1", RequestID(WithRequestID(ctx, "req-1")))
}
