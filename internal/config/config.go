// Package config is the only reader of the process environment. It turns the
// environment variables of the service's contract into a validated Config.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/invitedhq/invited/internal/people"
)

// Dialect names the database family a DATABASE_URL points at.
type Dialect string

// The supported database dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Config is everything the service reads from its environment.
type Config struct {
	DatabaseURL string
	Dialect     Dialect
	// DatabaseMaxConns bounds the PostgreSQL connection pool.
	DatabaseMaxConns int
	// SQLitePath is the database file when Dialect is SQLite.
	SQLitePath string

	HTTPAddr        string
	TrustedProxies  []*net.IPNet
	ShutdownTimeout time.Duration

	JWTSecret        []byte
	JWTPublicKeyFile string
	JWTIssuer        string
	JWTAudience      string
	AccessTokenTTL   time.Duration
	// RefreshTokenTTL is a session's absolute lifetime.
	RefreshTokenTTL time.Duration
	// InviteTokenKeys are the activation-link signing keys, current first.
	// Empty means "derive one from JWT_SECRET".
	InviteTokenKeys []InviteTokenKey

	AppBaseURL string
	// AppBaseURLDefaulted is true when APP_BASE_URL was not set and
	// AppBaseURL is the service's own address, which serve confirms once it
	// knows the port it listens on.
	AppBaseURLDefaulted bool
	InviteTTL           time.Duration
	// Console serves the web console and activation page; false serves the API alone.
	Console bool

	MailFrom                 *mail.Address
	SendGridAPIKey           string
	SendGridAPIURL           string
	SendGridTemplateID       string
	SendGridWebhookPublicKey string

	// DNSResolver is "system" (the host's resolv.conf), "off" (no
	// deliverability check of new addresses) or DNSServers.
	DNSResolver string
	// DNSServers are the resolvers DNS_RESOLVER names, host:port.
	DNSServers []string

	CORSAllowedOrigins []string
	PublicRateLimit    int
	// JobWorkers is the number of email jobs a replica works at once;
	// 0 means ten per database connection.
	JobWorkers int
	// MailBatchSize bounds the recipients of one provider call, and of all
	// a replica's calls not yet answered: what a crash can email twice.
	MailBatchSize int

	LogLevel  slog.Level
	LogFormat string

	// MemoryLimit is the soft limit, in bytes, of the Go runtime's memory
	// apart from the password hashes in flight, which are added to it while
	// they run; 0 leaves the runtime's limit alone (MEMORY_LIMIT=off, or
	// GOMEMLIMIT set, which the runtime reads itself).
	MemoryLimit int64
	// GoMemoryLimitSet is true when GOMEMLIMIT is set and so wins over
	// MEMORY_LIMIT.
	GoMemoryLimitSet bool

	// PprofAddr is where the opt-in profiler listens; empty serves none.
	PprofAddr string
	// MetricsAddr is where /metrics is served instead of on HTTPAddr;
	// empty serves it with the API.
	MetricsAddr string

	// WebhookAllowHTTPHosts may be reached by webhooks over plain http.
	WebhookAllowHTTPHosts []string
	// WebhookAllowPrivateNetworks may be reached by webhooks although not public.
	WebhookAllowPrivateNetworks []netip.Prefix
	// WebhookSecretKeys encrypt endpoints' signing secrets, current first.
	// Empty means "derive one from JWT_SECRET".
	WebhookSecretKeys []SecretKey
}

// SecretKey is one named secret: a key among several that rotate.
type SecretKey struct {
	ID     string
	Secret []byte
}

// InviteTokenKey is one named secret for activation-link signatures.
type InviteTokenKey = SecretKey

// Var documents one environment variable: the contract `invited --help`
// prints and the README repeats.
type Var struct {
	Name    string
	Default string
	Help    string
	Secret  bool
}

// Vars lists every environment variable the service reads, in help order.
var Vars = []Var{
	{Name: "DATABASE_URL", Default: //nolint:gosec // help text showing the URL's shape, not a credential
	"sqlite:invited.db", Help:      "postgres://user:pass@host:5432/db?sslmode=... for PostgreSQL, or sqlite:PATH for the embedded database"},
	{Name: "DATABASE_MAX_CONNS", Default: "20", Help: "PostgreSQL connections per replica, shared by requests and job workers (SQLite always uses one)"},
	{Name: "HTTP_ADDR", Default: "127.0.0.1:8080", Help: "address the HTTP server listens on; the default takes connections from this machine only, :8080 from every interface (the container image sets it)"},
	{Name: "TRUSTED_PROXIES", Default: "", Help: "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed; empty trusts none"},
	{Name: "SHUTDOWN_TIMEOUT", Default: "20s", Help: "how long a stopping server lets in-flight requests and jobs finish"},
	{Name: "JWT_SECRET", Default: "", Help: "HS256 signing secret, at least 32 bytes; required with PostgreSQL (with SQLite a development secret is generated beside the database file)", Secret: true},
	{Name: "JWT_PUBLIC_KEY_FILE", Default: "", Help: "PEM public key (RSA, ECDSA P-256 or Ed25519) to accept tokens minted by another identity provider instead of HS256; the service then mints no tokens"},
	{Name: "JWT_ISSUER", Default: "invited", Help: "iss claim minted and required"},
	{Name: "JWT_AUDIENCE", Default: "invited", Help: "aud claim minted and required"},
	{Name: "ACCESS_TOKEN_TTL", Default: "15m", Help: "lifetime of access tokens the service mints"},
	{Name: "REFRESH_TOKEN_TTL", Default: "720h", Help: "absolute lifetime of a session's refresh tokens, from sign-in; 1h to 8760h"},
	{Name: "INVITE_TOKEN_KEYS", Default: "", Help: "activation-link signing keys as id:base64secret, comma-separated, current first (rotation); empty derives one from JWT_SECRET", Secret: true},
	{Name: "APP_BASE_URL", Default: "", Help: "base URL of the activation page; links are APP_BASE_URL/activate?token=...; empty is the service's own address (http://127.0.0.1:8080 with the default HTTP_ADDR)"},
	{Name: "CONSOLE", Default: "on", Help: "on serves the web console at / and the activation page at /activate; off serves the API alone"},
	{Name: "INVITE_TTL", Default: hours(people.DefaultInviteTTL), Help: "default lifetime of an invitation link, " +
		hours(people.MinInviteTTL) + " to " + hours(people.MaxInviteTTL)},
	{Name: "MAIL_FROM", Default: "invited <no-reply@invited.localhost>", Help: "sender of invitation emails, an address or \"Name <address>\""},
	{Name: "SENDGRID_API_KEY", Default: "", Help: "SendGrid API key; empty prints emails to the log instead (development only)", Secret: true},
	{Name: "SENDGRID_API_URL", Default: "https://api.sendgrid.com", Help: "SendGrid API base URL"},
	{Name: "SENDGRID_TEMPLATE_ID", Default: "", Help: "optional SendGrid dynamic template id used instead of the built-in templates"},
	{Name: "SENDGRID_WEBHOOK_PUBLIC_KEY", Default: "", Help: "base64 public key of SendGrid's signed event webhook; empty disables POST /webhooks/sendgrid"},
	{Name: "DNS_RESOLVER", Default: "system", Help: "resolvers asked whether a new address's domain has a mail server (MX, else A/AAAA): system (resolv.conf), off, or comma-separated host[:port]"},
	{Name: "CORS_ALLOWED_ORIGINS", Default: "", Help: "comma-separated origins allowed to call the API from a browser; empty allows none"},
	{Name: "PUBLIC_RATE_LIMIT", Default: "60", Help: "requests per minute per client IP on public routes (/auth/token, /invites/*)"},
	{Name: "JOB_WORKERS", Default: "", Help: "email jobs worked at once per replica; empty: ten per database connection (DATABASE_MAX_CONNS)"},
	{Name: "MAIL_BATCH_SIZE", Default: "100", Help: "most recipients in one SendGrid call, and in all of a replica's calls not yet answered: a replica that crashes during a call may have those emails sent twice, never more (1 to 1000)"},
	{Name: "LOG_LEVEL", Default: "info", Help: "debug, info, warn or error"},
	{Name: "LOG_FORMAT", Default: "json", Help: "json or text"},
	{Name: "WEBHOOK_ALLOW_HTTP_HOSTS", Default: "", Help: "comma-separated host names that webhook endpoints may reach over plain http (local development); empty allows https only"},
	{Name: "WEBHOOK_ALLOW_PRIVATE_NETWORKS", Default: "", Help: "comma-separated CIDRs that webhook endpoints may reach although they are loopback, private or link-local, such as 127.0.0.0/8 for local development; empty allows public addresses only"},
	{Name: "WEBHOOK_SECRET_KEYS", Default: "", Help: "keys that encrypt webhook endpoints' signing secrets at rest, as id:base64secret (32 bytes or more), comma-separated, current first (rotation); empty derives one from JWT_SECRET", Secret: true},
	{Name: "MEMORY_LIMIT", Default: DefaultMemoryLimit, Help: "soft limit of the Go runtime's memory (heap, stacks) for everything but password hashing, such as 48MiB or 1GiB; " +
		"the hashes in flight add their argon2id memory (7 MiB each) while they run or wait to. The garbage collector works harder as the process nears it, so memory goes back to the operating system after a peak; " +
		"off sets none. Ignored when GOMEMLIMIT is set"},
	{Name: "METRICS_ADDR", Default: "", Help: "address of a listener of its own for GET /metrics, such as 127.0.0.1:9090, so the metrics need not be public; empty serves /metrics with the API on HTTP_ADDR"},
	{Name: "PPROF_ADDR", Default: "", Help: "address of an opt-in net/http/pprof listener for profiling, such as 127.0.0.1:6060; empty serves none. It is unauthenticated: never expose it"},
}

// Load reads the environment through getenv and validates it. The error
// names every variable that is wrong and why, never a secret's value.
func Load(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	var c Config

	c.DatabaseURL = r.str("DATABASE_URL")
	c.Dialect, c.SQLitePath = r.database("DATABASE_URL", c.DatabaseURL)
	c.DatabaseMaxConns = r.integer("DATABASE_MAX_CONNS", 1, 1000)
	c.HTTPAddr = r.str("HTTP_ADDR")
	c.TrustedProxies = r.cidrs("TRUSTED_PROXIES")
	c.ShutdownTimeout = r.duration("SHUTDOWN_TIMEOUT", time.Second, time.Hour)

	c.JWTSecret = []byte(r.str("JWT_SECRET"))
	c.JWTPublicKeyFile = r.str("JWT_PUBLIC_KEY_FILE")
	c.JWTIssuer = r.nonEmpty("JWT_ISSUER")
	c.JWTAudience = r.nonEmpty("JWT_AUDIENCE")
	c.AccessTokenTTL = r.duration("ACCESS_TOKEN_TTL", time.Minute, 24*time.Hour)
	c.RefreshTokenTTL = r.duration("REFRESH_TOKEN_TTL", time.Hour, 365*24*time.Hour)
	c.InviteTokenKeys = r.inviteKeys("INVITE_TOKEN_KEYS")

	if r.str("APP_BASE_URL") == "" {
		c.AppBaseURL, c.AppBaseURLDefaulted = LocalURL(c.HTTPAddr), true
	} else {
		c.AppBaseURL = strings.TrimRight(r.httpURL("APP_BASE_URL"), "/")
	}
	c.Console = r.oneOf("CONSOLE", "on", "off") == "on"
	c.InviteTTL = r.duration("INVITE_TTL", people.MinInviteTTL, people.MaxInviteTTL)

	c.MailFrom = r.address("MAIL_FROM")
	c.SendGridAPIKey = r.str("SENDGRID_API_KEY")
	c.SendGridAPIURL = strings.TrimRight(r.httpURL("SENDGRID_API_URL"), "/")
	c.SendGridTemplateID = r.str("SENDGRID_TEMPLATE_ID")
	c.SendGridWebhookPublicKey = r.str("SENDGRID_WEBHOOK_PUBLIC_KEY")

	c.DNSResolver, c.DNSServers = r.resolver("DNS_RESOLVER")

	c.CORSAllowedOrigins = r.origins("CORS_ALLOWED_ORIGINS")
	c.PublicRateLimit = r.integer("PUBLIC_RATE_LIMIT", 1, 1_000_000)
	if r.str("JOB_WORKERS") != "" {
		c.JobWorkers = r.integer("JOB_WORKERS", 1, 10_000)
	}
	c.MailBatchSize = r.integer("MAIL_BATCH_SIZE", 1, 1000)

	c.LogLevel = r.level("LOG_LEVEL")
	c.LogFormat = r.oneOf("LOG_FORMAT", "json", "text")
	c.MemoryLimit = r.byteSize("MEMORY_LIMIT", minMemoryLimit)
	if strings.TrimSpace(r.getenv("GOMEMLIMIT")) != "" {
		c.MemoryLimit, c.GoMemoryLimitSet = 0, true
	}
	c.PprofAddr = r.str("PPROF_ADDR")
	c.MetricsAddr = r.str("METRICS_ADDR")
	c.WebhookAllowHTTPHosts = r.list("WEBHOOK_ALLOW_HTTP_HOSTS")
	c.WebhookAllowPrivateNetworks = r.prefixes("WEBHOOK_ALLOW_PRIVATE_NETWORKS")
	c.WebhookSecretKeys = r.keys("WEBHOOK_SECRET_KEYS")

	r.check(c.Dialect != Postgres || len(c.JWTSecret) > 0 || c.JWTPublicKeyFile != "",
		"JWT_SECRET", "is required with PostgreSQL (a development secret is generated only for the embedded SQLite database)")
	r.check(len(c.JWTSecret) == 0 || len(c.JWTSecret) >= 32,
		"JWT_SECRET", fmt.Sprintf("must be at least 32 bytes, got %d", len(c.JWTSecret)))
	r.check(c.JWTPublicKeyFile == "" || len(c.InviteTokenKeys) > 0 || len(c.JWTSecret) > 0,
		"INVITE_TOKEN_KEYS", "is required when JWT_PUBLIC_KEY_FILE is set and JWT_SECRET is not (activation links need a signing key)")

	if err := errors.Join(r.errs...); err != nil {
		return Config{}, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return c, nil
}

// LocalURL is the address a browser on this machine reaches a listen
// address at: ":8080" and "0.0.0.0:8080" are http://localhost:8080.
func LocalURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// UsesSendGrid reports whether emails go to SendGrid rather than the log.
func (c Config) UsesSendGrid() bool { return c.SendGridAPIKey != "" }

// reader collects every problem instead of stopping at the first, so an
// operator fixes the whole environment in one go.
type reader struct {
	getenv func(string) string
	errs   []error
}

func (r *reader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("  %s %s", name, fmt.Sprintf(format, args...)))
}

func (r *reader) check(ok bool, name, msg string) {
	if !ok {
		r.fail(name, "%s", msg)
	}
}

// str returns the variable, or its documented default when unset or blank.
func (r *reader) str(name string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	panic("config: undocumented variable " + name)
}

func (r *reader) nonEmpty(name string) string {
	v := r.str(name)
	r.check(v != "", name, "must not be empty")
	return v
}

func (r *reader) duration(name string, lo, hi time.Duration) time.Duration {
	s := r.str(name)
	d, err := time.ParseDuration(s)
	if err != nil {
		r.fail(name, "must be a duration such as 15m or 168h, got %q", s)
		return 0
	}
	if d < lo || d > hi {
		r.fail(name, "must be between %s and %s, got %s", lo, hi, d)
	}
	return d
}

func (r *reader) integer(name string, lo, hi int) int {
	s := r.str(name)
	n, err := strconv.Atoi(s)
	if err != nil {
		r.fail(name, "must be a whole number, got %q", s)
		return 0
	}
	if n < lo || n > hi {
		r.fail(name, "must be between %d and %d, got %d", lo, hi, n)
	}
	return n
}

func (r *reader) oneOf(name string, allowed ...string) string {
	s := strings.ToLower(r.str(name))
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	r.fail(name, "must be one of %s, got %q", strings.Join(allowed, ", "), s)
	return allowed[0]
}

func (r *reader) level(name string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(r.str(name))); err != nil {
		r.fail(name, "must be debug, info, warn or error, got %q", r.str(name))
	}
	return l
}

func (r *reader) database(name, raw string) (Dialect, string) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			r.fail(name, "must name a file after sqlite:, e.g. sqlite:invited.db")
		}
		return SQLite, path
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			// The parse error quotes the URL, password included; say only where it failed.
			r.fail(name, "is not a valid URL (check the escaping of special characters in the password)")
			return Postgres, ""
		}
		if u.Host == "" {
			r.fail(name, "must name a host, e.g. postgres://user@127.0.0.1:5432/invited")
		}
		if strings.Trim(u.Path, "/") == "" {
			r.fail(name, "must name a database, e.g. postgres://user@127.0.0.1:5432/invited")
		}
		return Postgres, ""
	default:
		scheme, _, _ := strings.Cut(raw, ":")
		r.fail(name, "must start with postgres:// or sqlite:, got scheme %q", scheme)
		return "", ""
	}
}

func (r *reader) httpURL(name string) string {
	s := r.str(name)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail(name, "must be an absolute http(s) URL, got %q", s)
	}
	return s
}

func (r *reader) address(name string) *mail.Address {
	s := r.str(name)
	a, err := mail.ParseAddress(s)
	if err != nil {
		r.fail(name, "must be an email address or \"Name <address>\", got %q", s)
		return &mail.Address{}
	}
	return a
}

func (r *reader) list(name string) []string {
	var out []string
	for _, p := range strings.Split(r.str(name), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *reader) origins(name string) []string {
	out := r.list(name)
	for _, o := range out {
		u, err := url.Parse(o)
		if o == "*" {
			r.fail(name, "must list origins explicitly; \"*\" would let any site call the API with a user's token")
			continue
		}
		if err != nil || u.Scheme == "" || u.Host == "" || (u.Path != "" && u.Path != "/") {
			r.fail(name, "entries must be origins like https://admin.example.com, got %q", o)
		}
	}
	return out
}

func (r *reader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range r.list(name) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			r.fail(name, "entries must be CIDRs like 127.0.0.0/8 or ::1/128, got %q", s)
			continue
		}
		out = append(out, p.Masked())
	}
	return out
}

// DNS resolver modes besides a list of servers.
const (
	DNSSystem = "system"
	DNSOff    = "off"
)

func (r *reader) resolver(name string) (string, []string) {
	switch v := strings.ToLower(r.str(name)); v {
	case DNSSystem, DNSOff:
		return v, nil
	}
	var servers []string
	for _, s := range r.list(name) {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			host, port = s, "53"
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || net.ParseIP(strings.Trim(host, "[]")) == nil {
			r.fail(name, "must be system, off, or resolver IP addresses with optional ports like 10.0.0.2:53, got %q", s)
			continue
		}
		servers = append(servers, net.JoinHostPort(strings.Trim(host, "[]"), port))
	}
	return "servers", servers
}

func (r *reader) cidrs(name string) []*net.IPNet {
	var nets []*net.IPNet
	for _, s := range r.list(name) {
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			r.fail(name, "entries must be CIDRs like 10.0.0.0/8, got %q", s)
			continue
		}
		nets = append(nets, n)
	}
	return nets
}

// DefaultMemoryLimit is MEMORY_LIMIT's default. Under listing load at 32
// connections it holds the service near 50 MiB resident, where it would
// reach 57 to 59 without a limit, for no CPU per page that could be told
// apart from the runs' noise; 28 MiB cost about 15 % more CPU per page, in
// collections (BENCHMARKS.md, target 5).
const DefaultMemoryLimit = "30MiB"

// minMemoryLimit is the smallest MEMORY_LIMIT accepted: below it the
// collector would run without pause to stay under a limit the service's
// tables alone exceed.
const minMemoryLimit = 16 << 20

// byteUnits are the suffixes byteSize accepts, GOMEMLIMIT's own.
var byteUnits = []struct {
	suffix string
	shift  uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}

// byteSize reads a size in GOMEMLIMIT's syntax (a whole number of B, KiB,
// MiB, GiB or TiB), or "off" for 0. It is parsed here rather than with a
// general-purpose size library because those also take decimal units
// (MB = 10^6), and the same setting should not mean two things.
func (r *reader) byteSize(name string, lo int64) int64 {
	s := r.str(name)
	if strings.EqualFold(s, "off") {
		return 0
	}
	for _, u := range byteUnits {
		digits, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(digits), 10, 64)
		if err != nil || n < 0 || n > (1<<62)>>u.shift {
			break
		}
		if n<<u.shift < lo {
			r.fail(name, "must be at least %d MiB, got %q", lo>>20, s)
		}
		return n << u.shift
	}
	r.fail(name, "must be a size such as 32MiB or 1GiB (B, KiB, MiB, GiB, TiB), or off, got %q", s)
	return 0
}

// hours writes a whole number of hours as a duration setting: 168h.
func hours(d time.Duration) string { return fmt.Sprintf("%dh", d/time.Hour) }
