package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go"
)

// Defaults of SendGridConfig.
const (
	DefaultSendGridBaseURL = "https://api.sendgrid.com"
	DefaultSendGridTimeout = 10 * time.Second
)

// sendPath is SendGrid's v3 mail send endpoint.
const sendPath = "/v3/mail/send"

// SendGridConfig configures the SendGrid sender.
type SendGridConfig struct {
	// APIKey is a SendGrid API key with the Mail Send permission. Required.
	APIKey string
	// BaseURL is the API host, DefaultSendGridBaseURL when empty. Tests point
	// it at a local fake.
	BaseURL string
	// From is the sender address (MAIL_FROM); it must be a verified sender
	// identity in SendGrid. Required.
	From Address
	// TemplateID optionally names a SendGrid dynamic template. When set, the
	// embedded templates are not used and each personalization carries the
	// template data instead.
	TemplateID string
	// Timeout bounds one API request, DefaultSendGridTimeout when zero.
	Timeout time.Duration
	// HTTPClient optionally replaces the HTTP client.
	HTTPClient *http.Client
}

// String describes the configuration without the API key, so that logging
// it by mistake leaks nothing.
func (c SendGridConfig) String() string {
	return fmt.Sprintf("SendGridConfig{BaseURL: %q, From: %q, TemplateID: %q, Timeout: %s}",
		c.BaseURL, c.From.Email, c.TemplateID, c.Timeout)
}

// GoString is String for the %#v verb.
func (c SendGridConfig) GoString() string { return c.String() }

// LogValue is String for log/slog.
func (c SendGridConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// SendGrid sends invitation batches through SendGrid's v3 mail send API,
// one request per batch. It is safe for concurrent use.
type SendGrid struct {
	apiKey     string
	baseURL    string
	from       Address
	templateID string
	timeout    time.Duration
	client     *rest.Client
	now        func() time.Time
}

var _ Sender = (*SendGrid)(nil)

// NewSendGrid checks cfg and returns a SendGrid sender.
func NewSendGrid(cfg SendGridConfig) (*SendGrid, error) {
	key := strings.TrimSpace(cfg.APIKey)
	if key == "" {
		return nil, errors.New("mail: SendGrid API key is required")
	}
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		base = DefaultSendGridBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("mail: SendGrid base URL %q is not an absolute http(s) URL", base)
	}
	from := Address{Email: strings.TrimSpace(cfg.From.Email), Name: oneLine(cfg.From.Name)}
	if !validAddress(from.Email) {
		return nil, fmt.Errorf("mail: sender address %q is not a valid email address", cfg.From.Email)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultSendGridTimeout
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{
			// A redirect from the API means a wrong base URL; following it
			// would only hide the mistake.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &SendGrid{
		apiKey:     key,
		baseURL:    base,
		from:       from,
		templateID: strings.TrimSpace(cfg.TemplateID),
		timeout:    timeout,
		client:     &rest.Client{HTTPClient: httpClient},
		now:        time.Now,
	}, nil
}

// String describes the sender without the API key.
func (s *SendGrid) String() string { return "SendGrid(" + s.baseURL + ")" }

// GoString is String for the %#v verb.
func (s *SendGrid) GoString() string { return s.String() }

// LogValue is String for log/slog.
func (s *SendGrid) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Send sends batch b in one API request and returns SendGrid's message id.
// A batch of more than MaxBatch recipients, or one that cannot be rendered,
// fails with a permanent *Error wrapping ErrInvalidBatch before any request.
func (s *SendGrid) Send(ctx context.Context, b Batch) (Receipt, error) {
	if err := b.validate(); err != nil {
		return Receipt{}, invalidBatchError(err)
	}
	msg, err := s.message(b, s.now())
	if err != nil {
		return Receipt{}, invalidBatchError(err)
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return Receipt{}, invalidBatchError(fmt.Errorf("mail: encode SendGrid request: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return Receipt{}, fmt.Errorf("mail: send not started: %w", err)
	}

	req := sendgrid.GetRequest(s.apiKey, sendPath, s.baseURL)
	req.Method = rest.Post
	req.Body = body
	reqCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	resp, err := s.client.SendWithContext(reqCtx, req)
	if err != nil {
		if ctx.Err() != nil {
			return Receipt{}, fmt.Errorf("mail: send interrupted: %w", ctx.Err())
		}
		// The reason is for administrators, who see it on the invite while
		// the email is retried; the cause, with its URL, is for the logs.
		reason := "could not reach SendGrid"
		if errors.Is(err, context.DeadlineExceeded) {
			reason = fmt.Sprintf("no answer from SendGrid within %s", s.timeout)
			err = fmt.Errorf("no answer within %s: %w", s.timeout, err)
		}
		return Receipt{}, &Error{Reason: reason, Err: err}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return Receipt{MessageID: http.Header(resp.Headers).Get("X-Message-Id")}, nil
	}
	return Receipt{}, statusError(resp.StatusCode, http.Header(resp.Headers), []byte(resp.Body), s.now())
}
