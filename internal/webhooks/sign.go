package webhooks

import (
	"fmt"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Signature is the value of the webhook-signature header for a message:
// one "v1,<base64 HMAC-SHA256>" per secret over "id.timestamp.payload",
// separated by spaces, as the Standard Webhooks specification asks so that
// a receiver rotating its secret accepts either.
func Signature(msgID string, at time.Time, payload []byte, secrets []string) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, secret := range secrets {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			return "", fmt.Errorf("webhooks: signing secret: %w", err)
		}
		sig, err := wh.Sign(msgID, at, payload)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}
