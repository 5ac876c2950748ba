package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/logging"
)

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// run is the whole program; main only supplies the process's arguments,
// environment and streams, so tests drive it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		usage(stderr)
		return usageError{"no command given"}
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "-h", "--help", "help":
		usage(stdout)
		return nil
	case "healthcheck":
		return healthcheck(ctx, getenv, rest, stdout)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	self := selfCommand(args[0])
	switch cmd {
	case "serve":
		return serve(ctx, cfg, logger, rest, stdout, self)
	case "migrate":
		return migrate(ctx, cfg, logger, rest, stdout)
	case "org":
		return org(ctx, cfg, logger, rest, stdout)
	case "token":
		return token(ctx, cfg, logger, rest, stdout)
	case "demo":
		return demoCmd(ctx, cfg, logger, rest, stdout, self)
	default:
		usage(stderr)
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// selfCommand is how to run this program again from a shell, for the hints
// it prints: `go run` builds it in a temporary directory, so its hints say
// "go run ./cmd/invited"; a binary started by path is named by that path,
// and one found on PATH by its name.
func selfCommand(argv0 string) string {
	if strings.Contains(filepath.ToSlash(argv0), "/go-build") {
		return "go run ./cmd/invited"
	}
	return argv0
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	return logging.New(w, cfg.LogFormat, cfg.LogLevel)
}

// newFlags returns a flag set whose errors are usage errors.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("invited "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `invited — get people from invited to active.

Usage:
  invited serve [--demo]      run the API and the background workers (migrates first;
                              --demo seeds the demo organization when it is missing)
  invited migrate             apply pending database migrations and exit
  invited org create --slug S --name N --owner-email E [--owner-password P]
                     [--invite-ttl 168h] [--default-locale en] [--time-zone UTC]
                              create an organization and its owner (confirmed when a
                              password is given, otherwise invited by email)
  invited token --org S --email E [--ttl 1h]
                              print an access token for a confirmed user (for scripts)
  invited demo                seed the demo organization (idempotent)
  invited healthcheck [--url URL]
                              exit 0 when the local server answers /healthz (for containers)
  invited --help              this help

Environment:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range config.Vars {
		def := v.Default
		if def == "" {
			def = "(unset)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, def, v.Help)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nSecrets (JWT_SECRET, SENDGRID_API_KEY, INVITE_TOKEN_KEYS) are never logged.")
}

// required reports missing flags by name.
func required(cmd string, flags map[string]string) error {
	var missing []string
	for name, v := range flags {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return usageError{fmt.Sprintf("%s: missing %s", cmd, strings.Join(missing, ", "))}
	}
	return nil
}
