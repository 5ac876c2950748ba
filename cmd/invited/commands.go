package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/people"
)

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if err := parseFlags(newFlags("migrate"), args); err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := database.Migrate(ctx, db, log); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "database schema is current")
	return nil
}

func org(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"org: the only subcommand is create"}
	}
	fs := newFlags("org create")
	slug := fs.String("slug", "", "organization slug")
	name := fs.String("name", "", "organization name")
	email := fs.String("owner-email", "", "owner's email")
	password := fs.String("owner-password", "", "owner's password (omit to invite the owner by email)")
	ttl := fs.Duration("invite-ttl", cfg.InviteTTL, "lifetime of invitation links")
	locale := fs.String("default-locale", people.DefaultOrganizationLocale, "language of people added without one, and of emails: "+strings.Join(mail.Locales(), ", "))
	zone := fs.String("time-zone", people.DefaultTimeZone, "IANA time zone of dates in emails")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := required("org create", map[string]string{"slug": *slug, "name": *name, "owner-email": *email}); err != nil {
		return err
	}
	a, err := open(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer a.close()
	o, owner, err := a.Service.CreateOrganization(ctx, people.NewOrganization{Slug: *slug, Name: *name, InviteTTL: *ttl,
		DefaultLocale: *locale, TimeZone: *zone, OwnerEmail: *email, OwnerPassword: *password})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created organization %s (%s) with owner %s, %s\n", o.Slug, o.ID, owner.Email, owner.Status)
	if owner.Status == people.InvitePending {
		fmt.Fprintln(stdout, "the owner was sent an invitation; the server's workers deliver it")
	}
	return nil
}

func token(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := newFlags("token")
	slug := fs.String("org", "", "organization slug")
	email := fs.String("email", "", "user's email")
	ttl := fs.Duration("ttl", time.Hour, "token lifetime")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("token", map[string]string{"org": *slug, "email": *email}); err != nil {
		return err
	}
	if *ttl <= 0 || *ttl > 24*time.Hour {
		return usageError{"token: --ttl must be between 1s and 24h"}
	}
	// The token is what a script captures, in a terminal beside the
	// server's: the notes about the server's settings (no SendGrid key,
	// a development secret) are the server's to print, not this command's.
	a, err := open(ctx, cfg, slog.New(errorsOnly{log.Handler()}), false)
	if err != nil {
		return err
	}
	defer a.close()
	tok, err := a.Service.IssueToken(ctx, *slug, *email, *ttl)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, tok.Token)
	return nil
}

func demoCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer, self string) error {
	if err := parseFlags(newFlags("demo"), args); err != nil {
		return err
	}
	a, err := open(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer a.close()
	return seedDemo(ctx, a, stdout, config.LocalURL(cfg.HTTPAddr), self)
}

// healthcheck asks the local server's /healthz, for container health checks
// in an image that has no curl. It needs no database and no configuration
// beyond HTTP_ADDR.
func healthcheck(ctx context.Context, getenv func(string) string, args []string, stdout io.Writer) error {
	fs := newFlags("healthcheck")
	addr := getenv("HTTP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	url := fs.String("url", strings.Replace(config.LocalURL(addr), "localhost", "127.0.0.1", 1)+"/healthz", "URL to check")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return usageError{"healthcheck: " + err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", *url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// errorsOnly passes on error lines only. slog has no level filter over
// another handler, hence this one.
type errorsOnly struct{ slog.Handler }

func (h errorsOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.Handler.Enabled(ctx, l)
}

func (h errorsOnly) WithAttrs(as []slog.Attr) slog.Handler {
	return errorsOnly{h.Handler.WithAttrs(as)}
}
func (h errorsOnly) WithGroup(name string) slog.Handler { return errorsOnly{h.Handler.WithGroup(name)} }

// describe turns an application error into a message for the terminal,
// listing each invalid field.
func describe(err error) error {
	ae := apperrOf(err)
	if ae == nil {
		return err
	}
	msg := ae.Message
	for _, f := range ae.Fields {
		msg += "\n  " + f.Message
	}
	return fmt.Errorf("%s", msg)
}

func apperrOf(err error) *apperr.Error {
	var e *apperr.Error
	if errors.As(err, &e) && e.Code != apperr.CodeInternal {
		return e
	}
	return nil
}
