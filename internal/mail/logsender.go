package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// logSender writes invitation emails to the log instead of sending them.
type logSender struct {
	logger *slog.Logger
	now    func() time.Time
}

// NewLogSender returns a Sender for development that delivers nothing: it
// logs one Info record per recipient with the address, the subject, the
// activation link and the plain-text body, so that a developer can follow
// the link from the console.
//
// It must never be used in production: activation links are secrets and it
// writes them to the log. The service picks it only when no SendGrid API key
// is configured. A nil logger means slog.Default().
func NewLogSender(logger *slog.Logger) Sender {
	if logger == nil {
		logger = slog.Default()
	}
	return &logSender{logger: logger, now: time.Now}
}

// Send logs every message of the batch and returns an empty Receipt.
func (s *logSender) Send(ctx context.Context, b Batch) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, fmt.Errorf("mail: send not started: %w", err)
	}
	if err := b.validate(); err != nil {
		return Receipt{}, invalidBatchError(err)
	}
	// Render everything before logging anything, so that a batch is either
	// logged whole or not at all, as a real provider accepts it.
	now := s.now()
	messages := make([][]slog.Attr, 0, len(b.Recipients))
	for _, r := range b.Recipients {
		subject, text, _, err := Render(b, r, now)
		if err != nil {
			return Receipt{}, invalidBatchError(err)
		}
		messages = append(messages, []slog.Attr{
			slog.String("to", r.Email),
			slog.String("subject", subject),
			slog.String("invite_id", r.InviteID),
			slog.String("organization_id", b.OrganizationID),
			slog.String("link", r.Link),
			slog.String("text", text),
		})
	}
	for _, attrs := range messages {
		s.logger.LogAttrs(ctx, slog.LevelInfo, "invitation email not sent: development log sender", attrs...)
	}
	return Receipt{}, nil
}
