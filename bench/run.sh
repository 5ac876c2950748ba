#!/usr/bin/env bash
# Load test of the people API on PostgreSQL (BENCHMARKS.md explains the
# numbers). It creates a throwaway database, seeds it, starts a fake
# SendGrid and the server on 127.0.0.1, runs each scenario with wrk at each
# connection count, measures how fast the resends' emails reach the fake,
# runs the same resend statements through pgbench, measures a burst of
# concurrent password sets, prints Markdown tables, then stops everything
# and drops the database, also when interrupted.
#
# Needs: go, psql, pgbench, curl, wrk (Debian: apt-get install wrk), a
# PostgreSQL server where the user may create databases, and Linux /proc.
#
# Settings (environment):
#   BENCH_PG        server to create the throwaway database on
#                   (default postgres://postgres@127.0.0.1:5432)
#   BENCH_PORT      HTTP port on 127.0.0.1 (default 18080)
#   BENCH_DURATION  per run (default 15s)
#   BENCH_CONNS     connection counts (default "1 32")
#   BENCH_SCENARIOS subset of: list_first list_deep search resend set_password burst
#   BENCH_REPS      repetitions of resend (with its raw SQL) and burst, interleaved (default 3)
#   BENCH_BEFORE    a git revision to build and measure beside the tree in the
#                   same run (resend and burst alternate between the two)
#   BENCH_FAKE_PORT port of the fake SendGrid on 127.0.0.1 (default BENCH_PORT + 1)
#   BENCH_QUIET_TRIES how many 2-second looks each run takes, at most, for the
#                   machine to be quiet before it starts (default 30)
#   BENCH_USERS     users of the measured organization (default 100000)
#   BENCH_OUT       directory to keep the results and plans in (default: a temporary one, removed)
#   BENCH_KEEP_DB=1 keep the database (its URL is printed) instead of dropping it
#   BENCH_DOC       a Markdown file whose marked sections get the new results and
#                   plans (BENCHMARKS.md: <!-- bench:results --> … <!-- /bench:results -->
#                   and the same for bench:plans)
# Server settings such as LOG_LEVEL, DATABASE_MAX_CONNS, JOB_WORKERS or
# GOMEMLIMIT pass through to the server.
set -euo pipefail
cd "$(dirname "$0")/.."

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18080}
DURATION=${BENCH_DURATION:-15s}
CONNS=${BENCH_CONNS:-1 32}
SCENARIOS=${BENCH_SCENARIOS:-list_first list_deep search resend set_password burst}
REPS=${BENCH_REPS:-3}
BEFORE=${BENCH_BEFORE:-}
FAKE_PORT=${BENCH_FAKE_PORT:-$((PORT + 1))}
USERS=${BENCH_USERS:-100000}
SEARCH=okafor
BASE=http://127.0.0.1:$PORT

for tool in go psql pgbench curl wrk; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is required (wrk: apt-get install wrk)" >&2; exit 1; }
done

if curl -s -o /dev/null "$BASE/healthz"; then
	echo "bench: something already listens on 127.0.0.1:$PORT; stop it or set BENCH_PORT" >&2
	exit 1
fi

WORK=$(mktemp -d)
OUT=${BENCH_OUT:-$WORK/out}
mkdir -p "$OUT"
DB=invited_bench_$(date +%s)_$$
DB_URL="$PG/$DB?sslmode=disable"
SERVER_PID=
FAKE_PID=
DB_CREATED=

cleanup() {
	for pid in "$SERVER_PID" "$FAKE_PID"; do
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid"
			wait "$pid" 2>/dev/null || true
		fi
	done
	if [ -n "$DB_CREATED" ] && [ "${BENCH_KEEP_DB:-}" != 1 ]; then
		psql -q "$PG/postgres?sslmode=disable" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
	elif [ -n "$DB_CREATED" ]; then
		echo "bench: kept database $DB_URL (drop it with: psql $PG/postgres -c 'DROP DATABASE $DB')" >&2
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
log "building"
# The server is built as `make build` and the Dockerfile build it: static,
# without the symbol table and debug information, source paths trimmed.
build_server() { CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$1" ./cmd/invited; }
build_server "$WORK/invited"
go build -o "$WORK/seed" ./internal/bench/seed
go build -o "$WORK/explain" ./internal/bench/explain
go build -o "$WORK/burst" ./internal/bench/burst
go build -o "$WORK/fakesendgrid" ./internal/bench/fakesendgrid
# BINS names the binaries measured side by side: "now" is the tree, and
# with BENCH_BEFORE "before" is that revision, built from its own sources.
BINS=now
if [ -n "$BEFORE" ]; then
	log "building $BEFORE"
	mkdir "$WORK/before-src"
	git archive "$BEFORE" | tar -x -C "$WORK/before-src"
	(cd "$WORK/before-src" && build_server "$WORK/invited-before")
	BINS="now before"
fi
binary_of() { if [ "$1" = before ]; then echo "$WORK/invited-before"; else echo "$WORK/invited"; fi; }

log "creating database $DB"
psql -q "$PG/postgres?sslmode=disable" -c "CREATE DATABASE $DB"
DB_CREATED=1
"$WORK/seed" -database-url "$DB_URL" -users "$USERS" >&2
q() { psql -qAt "$DB_URL" -c "$1"; }
AUTOVACUUM=$(q "SHOW autovacuum")

export DATABASE_URL=$DB_URL HTTP_ADDR=127.0.0.1:$PORT DNS_RESOLVER=off
export JWT_SECRET=${JWT_SECRET:-bench-only-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export LOG_LEVEL=${LOG_LEVEL:-warn} LOG_FORMAT=${LOG_FORMAT:-json}

# The fake SendGrid takes every email and notes when each recipient arrived.
SENDGRID_API_KEY=SG.bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SENDGRID_API_KEY SENDGRID_API_URL=http://127.0.0.1:$FAKE_PORT
"$WORK/fakesendgrid" -addr "127.0.0.1:$FAKE_PORT" -key "$SENDGRID_API_KEY" 2>>"$OUT/fake.log" &
FAKE_PID=$!

SERVER_BIN=now
start_server() { # [binary name]
	SERVER_BIN=${1:-now}
	"$(binary_of "$SERVER_BIN")" serve >"$WORK/server.out" 2>>"$OUT/server.log" &
	SERVER_PID=$!
	for _ in $(seq 100); do
		curl -sf "$BASE/readyz" >/dev/null && return
		kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
		sleep 0.1
	done
	log "server did not become ready"
	exit 1
}
stop_server() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
}
use_server() { # binary name: restart the server with it unless it already runs
	[ "$SERVER_BIN" = "$1" ] && return
	stop_server
	start_server "$1"
}
start_server
BENCH_TOKEN=$("$WORK/invited" token --org bench --email owner@bench.example --ttl 2h)
export BENCH_TOKEN

# Invite-pending users of the measured organization, oldest first: the
# first 25,000 are resent, the last 5,000 get passwords.
q "SELECT u.id FROM users u JOIN organizations o ON o.id = u.organization_id
   WHERE o.slug = 'bench' AND u.status = 'invite_pending' ORDER BY u.id" >"$WORK/pending"
PENDING=$(wc -l <"$WORK/pending")
head -n $((PENDING * 5 / 6)) "$WORK/pending" >"$WORK/resend_ids"
tail -n $((PENDING / 6)) "$WORK/pending" >"$WORK/password_ids"

# The deep page: follow next_cursor 200 rows at a time to 80 % of the
# listing, with the server running (a cursor is the binary's own format).
deep_cursor() {
	local cursor= page
	for _ in $(seq $((PENDING * 4 / 5 / 200))); do
		page=$(curl -sf -H "Authorization: Bearer $BENCH_TOKEN" "$BASE/users?status=invite_pending&limit=200${cursor:+&cursor=$cursor}")
		cursor=$(printf '%s' "$page" | grep -o '"next_cursor":"[^"]*"' | cut -d'"' -f4)
	done
	[ -n "$cursor" ] || { log "no deep cursor"; exit 1; }
	echo "$cursor"
}
cursor=$(deep_cursor)

[ "$AUTOVACUUM" = on ] || log "autovacuum is off on this server: vacuuming after each scenario that writes"
log "explaining the listing queries"
PLANS_OK=1
if ! "$WORK/explain" -database-url "$DB_URL" -q "$SEARCH" >"$OUT/plans.md"; then
	PLANS_OK=
	log "a listing plan reads the whole users table (see $OUT/plans.md); measuring anyway"
fi
# search_plan prints the indexes the search's plan reads, in an explain
# output: which ones, not whether by a plain or a bitmap scan of the same
# index (that choice follows the row estimate and costs alike).
search_plan() {
	awk '/^#### search$/ { on = 1; next } /^#### / { on = 0 } on && /\(cost=/ {
		if (match($0, /( using|Bitmap Index Scan on) [a-z_]+/)) { x = substr($0, RSTART, RLENGTH); sub(/^.* /, "", x); print x }
		else if (match($0, /Seq Scan on [a-z_]+/)) print "sequential scan of " substr($0, RSTART + 12, RLENGTH - 12) }' "$1" | sort -u
}
# The search's plan after ANALYZE with smaller and larger samples than the
# default: the same indexes each time (the two trigram indexes, then the
# primary key), or the plan swings.
search_plan "$OUT/plans.md" >"$WORK/plan_default"
SEARCH_PLAN_STABLE="the same indexes ($(search_plan "$OUT/plans.md" | paste -sd, | sed 's/,/, /g')) after ANALYZE with statistics targets 10, 100 (default) and 1000"
for target in 10 1000; do
	PGOPTIONS="-c default_statistics_target=$target" q "ANALYZE users" >/dev/null
	"$WORK/explain" -database-url "$DB_URL" -q "$SEARCH" >"$WORK/plans_$target.md" 2>/dev/null || true
	if ! search_plan "$WORK/plans_$target.md" | cmp -s - "$WORK/plan_default"; then
		SEARCH_PLAN_STABLE="other indexes ($(search_plan "$WORK/plans_$target.md" | paste -sd, | sed 's/,/, /g')) after ANALYZE with statistics target $target"
		log "$SEARCH_PLAN_STABLE:"; search_plan "$WORK/plans_$target.md" >&2
	fi
done
q "ANALYZE users" >/dev/null
log "search plan: $SEARCH_PLAN_STABLE"

# CPU accounting, in clock ticks: the server, PostgreSQL's processes for
# this database and its own background ones (found by their process
# titles, which costs no connection), and the whole machine.
TICK=$(getconf CLK_TCK)
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_snapshot() {
	local pids
	pids=$(pgrep -f -- "^postgres: .*( $DB |walwriter|checkpointer|background writer|autovacuum launcher)") || return 0
	# shellcheck disable=SC2046 # one path per pid
	awk '{ split(FILENAME, f, "/"); print f[3], $14 + $15 }' $(printf '/proc/%s/stat ' $pids) 2>/dev/null || true
}
# pg_delta sums what each process spent between the first snapshot and the
# last one it appears in: a backend that started in between counts whole,
# one that exited in between (a connection dropped when wrk hangs up, an
# autovacuum worker) counts up to its last sample.
pg_delta() {
	awk 'FILENAME == ARGV[1] { before[$1] = $2; next } { last[$1] = $2 }
		END { for (p in last) d += last[p] - before[p]; print d + 0 }' "$@"
}
machine_busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
rss_kib() { awk "/^$1:/{print \$2}" "/proc/$SERVER_PID/status"; }

# quiet waits (up to a minute) until other processes use under half a core,
# so that a neighbour's build does not end up in the numbers.
quiet() {
	for _ in $(seq "${BENCH_QUIET_TRIES:-30}"); do
		local b0 s0 b1 s1
		pg_snapshot >"$WORK/q0"
		b0=$(machine_busy) s0=$(proc_ticks "$SERVER_PID")
		sleep 2
		b1=$(machine_busy) s1=$(proc_ticks "$SERVER_PID")
		pg_snapshot >"$WORK/q1"
		[ $(((b1 - b0) - (s1 - s0) - $(pg_delta "$WORK/q0" "$WORK/q1"))) -lt "$TICK" ] && return
	done
	log "the machine stayed busy; measuring anyway (see the 'others' column)"
}

# settle, after a scenario that changed rows, does what autovacuum would
# do before long: PostgreSQL here may run with autovacuum off (test
# machines often do), and dead rows would otherwise pile up from one
# scenario into the next.
settle() {
	if [ "$AUTOVACUUM" = off ]; then
		q "VACUUM ANALYZE users, invites, audit_events, river_job" >/dev/null
	fi
}

# wait_for_queue lets the email workers finish what resends queued, so the
# next scenario does not share the CPU with them (and every email of the run
# is counted); prints the seconds it took.
wait_for_queue() {
	local start=$SECONDS
	while [ "$(q "SELECT count(*) FROM river_job WHERE queue = 'email' AND state NOT IN ('completed', 'cancelled', 'discarded')")" != 0 ]; do
		[ $((SECONDS - start)) -lt 900 ] || { log "email queue did not drain"; break; }
		sleep 0.2
	done
	echo $((SECONDS - start))
}

now_us() { echo $(($(date +%s%N) / 1000)); }

# delivery_stats reports what became of the emails of the invitations the
# last run created, from the fake SendGrid's arrivals: how many arrived
# while the run lasted and in all, in how many calls, and the delivery lag
# from the invitation's creation (just before its 202) to its arrival.
DELIVERY=()
delivery_stats() { # name requests
	local name=$1 requests=$2
	curl -sf "http://127.0.0.1:$FAKE_PORT/bench/arrivals" >"$WORK/arrivals"
	q "SET client_min_messages = warning; CREATE TABLE IF NOT EXISTS bench_arrivals (invite_id uuid, at_us bigint, call integer);
		TRUNCATE bench_arrivals" >/dev/null
	psql -q "$DB_URL" -c "\\copy bench_arrivals FROM '$WORK/arrivals' WITH (DELIMITER ' ')"
	local line
	# The last column counts the emails that arrived in the run's window
	# shifted by the median lag: delivery's own rate, whatever the length
	# of the run (a rate to the last arrival counts the tail after the run
	# against a short run more than a long one).
	line=$(q "WITH x AS (SELECT DISTINCT ON (a.invite_id) a.at_us, a.call,
				a.at_us - (extract(epoch FROM i.created_at) * 1000000)::bigint AS lag_us
			FROM bench_arrivals a JOIN invites i ON i.id = a.invite_id
			WHERE i.created_at >= to_timestamp($RUN_START_US / 1000000.0)
			ORDER BY a.invite_id, a.at_us),
		m AS (SELECT coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY lag_us), 0) AS p50 FROM x)
		SELECT count(*), count(*) FILTER (WHERE at_us <= $RUN_END_US), count(DISTINCT call),
			(SELECT p50 FROM m), coalesce(percentile_disc(0.99) WITHIN GROUP (ORDER BY lag_us), 0),
			coalesce(max(lag_us), 0), coalesce(max(at_us), $RUN_END_US) - $RUN_END_US,
			count(*) FILTER (WHERE at_us > $RUN_START_US + (SELECT p50 FROM m) AND at_us <= $RUN_END_US + (SELECT p50 FROM m))
		FROM x")
	echo "$name delivery $line requests=$requests window_us=$((RUN_END_US - RUN_START_US))" >>"$OUT/raw.txt"
	DELIVERY+=("$(awk -F'|' -v name="$name" -v req="$requests" -v win=$((RUN_END_US - RUN_START_US)) '{
		printf "| %s | %.0f | %.0f | %.0f | %d | %.0f | %.1f | %.0f | %.0f | %.1f | %.0f |",
			name, req / (win / 1e6), $2 / (win / 1e6), $1 / ((win + $7) / 1e6), $1, $1 / ($3 > 0 ? $3 : 1), $4 / 1000, $5 / 1000, $6 / 1000, $7 / 1e6,
			$8 / (win / 1e6) }' <<<"$line")")
	log "${DELIVERY[-1]}"
}

ROWS=()
# measure runs a load generator (its arguments) after waiting for a quiet
# machine, and accounts the run: it sets LOAD_OUT (what the generator
# printed), RUN_START_US and RUN_END_US, and the CPU ticks of the server
# (S_TICKS), of PostgreSQL (PG_TICKS), of the generator (LOAD_TICKS) and of
# the whole machine (BUSY_TICKS), and the server's peak memory (PEAK_KIB).
measure() {
	quiet
	echo 5 >"/proc/$SERVER_PID/clear_refs" # reset VmHWM to the current RSS
	local s0 b0
	pg_snapshot >"$WORK/pg0"
	s0=$(proc_ticks "$SERVER_PID") b0=$(machine_busy)
	times >"$WORK/times0" # in this shell: its children so far, the generator to come
	: >"$WORK/pg_samples"
	: >"$WORK/rss"
	: >"$WORK/anon"
	(while kill -0 "$SERVER_PID" 2>/dev/null; do
		rss_kib VmRSS >>"$WORK/rss"
		rss_kib RssAnon >>"$WORK/anon"
		pg_snapshot >>"$WORK/pg_samples"
		sleep 0.5
	done) &
	local sampler=$!
	RUN_START_US=$(now_us)
	LOAD_OUT=$("$@")
	RUN_END_US=$(now_us)
	kill "$sampler"; wait "$sampler" 2>/dev/null || true
	local s1 b1 hwm peak
	s1=$(proc_ticks "$SERVER_PID") b1=$(machine_busy) hwm=$(rss_kib VmHWM)
	pg_snapshot >"$WORK/pg1"
	PG_TICKS=$(pg_delta "$WORK/pg0" "$WORK/pg_samples" "$WORK/pg1")
	times >"$WORK/times1"
	peak=$(sort -n "$WORK/rss" | tail -1)
	PEAK_KIB=$((peak > hwm ? peak : hwm))
	# The anonymous part (heap, stacks): the rest of RSS is the binary's
	# pages mapped from the file, which the kernel can drop and read again.
	PEAK_ANON_KIB=$(sort -n "$WORK/anon" | tail -1)
	S_TICKS=$((s1 - s0)) BUSY_TICKS=$((b1 - b0))
	# Children's user and system time, the second line of `times`.
	LOAD_TICKS=$(awk -v t="$TICK" 'function s(x) { split(x, v, "m"); return v[1] * 60 + v[2] }
		FNR == 2 { c[FILENAME] = s($1) + s($2) } END { printf "%d", (c[ARGV[2]] - c[ARGV[1]]) * t }' "$WORK/times0" "$WORK/times1")
}

# threads_for is the load generator's threads for a connection count: one
# for one connection, two (the cores) for more.
threads_for() { if [ "$1" -gt 1 ]; then echo 2; else echo 1; fi; }

wrk_run() { # threads conns script
	wrk -t"$1" -c"$2" -d"$DURATION" --timeout 10s -s "bench/wrk/$3" "$BASE" | grep '^BENCH '
}

run_scenario() { # name script path ids offset conns
	local name=$1 script=$2 path=$3 ids=$4 offset=$5 c=$6 threads
	threads=$(threads_for "$c")
	BENCH_PATH=$path BENCH_IDS=$ids BENCH_OFFSET=$offset BENCH_THREADS=$threads measure wrk_run "$threads" "$c" "$script"
	local line=$LOAD_OUT
	echo "$name c=$c $line server_ticks=$S_TICKS pg_ticks=$PG_TICKS busy_ticks=$BUSY_TICKS wrk_ticks=$LOAD_TICKS peak_rss_kib=$PEAK_KIB" >>"$OUT/raw.txt"
	ROWS+=("$(awk -v name="$name" -v c="$c" -v t="$TICK" -v peak="$PEAK_KIB" -v anon="${PEAK_ANON_KIB:-0}" \
		-v st="$S_TICKS" -v pt="$PG_TICKS" -v bt="$BUSY_TICKS" -v wt="$LOAD_TICKS" -v line="$line" 'BEGIN{
		n = split(line, kv, " "); for (i = 2; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
		secs = v["duration_us"] / 1e6; req = v["requests"]
		others = (bt - st - pt - wt) / t / secs * 100; if (others < 0) others = 0
		printf "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %.2f | %.2f | %.0f %% | %d | %.1f |",
			name, c, v["rps"], v["p50_us"] / 1000, v["p99_us"] / 1000, peak / 1024,
			v["status_errors"] + v["socket_errors"], st / t / req * 1000, pt / t / req * 1000, others, req, anon / 1024 }')")
	log "${ROWS[-1]}"
}

# requests_of_last_run is how many requests the latest run sent: runs that
# change users start where the previous one stopped in their id list.
requests_of_last_run() { tail -1 "$OUT/raw.txt" | grep -o ' requests=[0-9]*' | cut -d= -f2; }

# The raw SQL reference of a resend: the same statements through pgbench
# (bench/pgbench/resend.sql), on the users the resends take turns on.
# The ids go in through \copy: 25,000 of them in one statement's text are
# more than one argument of psql may hold.
q "SET client_min_messages = warning; DROP TABLE IF EXISTS bench_resend_ids; CREATE TABLE bench_resend_ids (id uuid)" >/dev/null
psql -q "$DB_URL" -c "\\copy bench_resend_ids (id) FROM '$WORK/resend_ids'"
q "ALTER TABLE bench_resend_ids RENAME TO bench_resend_ids_in;
   CREATE TABLE bench_resend_ids AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM bench_resend_ids_in;
   DROP TABLE bench_resend_ids_in; ALTER TABLE bench_resend_ids ADD PRIMARY KEY (n)" >/dev/null
BENCH_ORG=$(q "SELECT id FROM organizations WHERE slug = 'bench'")
BENCH_ACTOR=$(q "SELECT u.id FROM users u JOIN organizations o ON o.id = u.organization_id WHERE o.slug = 'bench' AND u.email = 'owner@bench.example'")
# pgbench's connections plan as the service's do (database.preferGenericPlans).
# The scripts are names in bench/pgbench, each with an optional @weight.
pgbench_run() { # threads conns scripts
	local files=() f
	for f in $3; do files+=(-f "bench/pgbench/$f"); done
	PGOPTIONS="-c plan_cache_mode=force_generic_plan" pgbench -n -M prepared -c "$2" -j "$1" -T "${DURATION%s}" "${files[@]}" \
		-D org="$BENCH_ORG" -D actor="$BENCH_ACTOR" -D ids="$(wc -l <"$WORK/resend_ids")" -D pattern="%$SEARCH%" \
		-D batch="$DELIVERY_BATCH" "$DB_URL" 2>>"$OUT/pgbench.log"
}
# DELIVERY_BATCH is the most jobs deliver.sql takes at once: the most
# recipients the service puts in one provider call
# (people.DefaultMaxUnconfirmed).
DELIVERY_BATCH=100
# run_pgbench runs scripts through pgbench and reports the first one's
# transactions: with more than one script (the resend and its delivery),
# the rate is the first script's and all of PostgreSQL's CPU is counted
# against its transactions, as all of it is against the service's resends.
run_pgbench() { # conns [name scripts]
	local c=$1 name=${2:-resend} scripts=${3:-resend.sql} threads
	threads=$(threads_for "$c")
	measure pgbench_run "$threads" "$c" "$scripts"
	local line=$LOAD_OUT tx lat failed tps
	if grep -q '^SQL script 1:' <<<"$line"; then
		# pgbench -f … -f …: the first script's own lines
		line=$(awk '/^SQL script 1:/ { on = 1; next } /^SQL script/ { on = 0 } on' <<<"$line")
		tx=$(awk '/transactions \(/ { print $2 }' <<<"$line")
		tps=$(grep -o 'tps = [0-9.]*' <<<"$line" | awk '{ print $3 }')
		failed=$(awk '/number of failed transactions/ { print $6 }' <<<"$line")
		lat=$(awk '/latency average/ { print $5 }' <<<"$line")
	else
		tx=$(awk '/^number of transactions actually processed/ {print $NF}' <<<"$line")
		failed=$(awk '/^number of failed transactions/ {print $5}' <<<"$line")
		lat=$(awk '/^latency average/ {print $4}' <<<"$line")
		tps=$(awk '/^tps/ {print $3}' <<<"$line")
	fi
	echo "$name raw SQL c=$c tps=$tps transactions=$tx failed=${failed:-0} latency_avg_ms=$lat server_ticks=$S_TICKS pg_ticks=$PG_TICKS busy_ticks=$BUSY_TICKS pgbench_ticks=$LOAD_TICKS scripts=${scripts// /,}" >>"$OUT/raw.txt"
	ROWS+=("$(awk -v name="$name" -v c="$c" -v t="$TICK" -v tps="$tps" -v tx="$tx" -v failed="${failed:-0}" -v lat="$lat" -v pt="$PG_TICKS" \
		-v bt="$BUSY_TICKS" -v st="$S_TICKS" -v wt="$LOAD_TICKS" -v secs="${DURATION%s}" 'BEGIN{
		others = (bt - st - pt - wt) / t / secs * 100; if (others < 0) others = 0
		printf "| %s, raw SQL (pgbench) | %d | %.0f | avg %.1f | | | %d | | %.2f | %.0f %% | %d | |", name, c, tps, lat, failed, pt / t / tx * 1000, others, tx }')")
	log "${ROWS[-1]}"
	# What became of the jobs the resend script queued: with deliver.sql
	# beside it, all but the last moments' should be completed.
	echo "$name raw SQL jobs $(q "SELECT count(*) FILTER (WHERE state = 'completed') || ' completed of ' || count(*) FROM river_job WHERE queue = 'pgbench'")" >>"$OUT/raw.txt"
	q "DELETE FROM river_job WHERE queue = 'pgbench'" >/dev/null
}
# recipients_per_call is the recipients of a provider call in the last
# resend run of the tree, rounded: the weight of the resend against its
# delivery in the raw SQL, so that it runs the delivery's statements in the
# service's proportions.
recipients_per_call() {
	grep ' (now) delivery ' "$OUT/raw.txt" | tail -1 | awk '{ for (i = 1; i <= NF; i++) if ($i == "delivery") { split($(i + 1), f, "|"); n = f[3] > 0 ? f[1] / f[3] : 1; printf "%d", n < 1 ? 1 : n + 0.5; exit } }'
}

BURSTS=()
run_burst() { # binary name
	use_server "$1"
	stop_server # a fresh process: its peak memory is the burst's
	start_server "$1"
	quiet
	local line
	# A request the burst gave up on (two minutes) fails the burst; the row
	# then says so instead of ending the run.
	if ! line=$("$WORK/burst" -url "$BASE" -ids "$WORK/burst_ids" -n 200 -pid "$SERVER_PID" -clk-tck "$TICK" 2>>"$OUT/burst.log"); then
		log "the burst ($1) had failed requests (see burst.log)"
		line=${line:-requests=200 ok=0}
	fi
	echo "burst ($1) $line" >>"$OUT/raw.txt"
	BURSTS+=("$(awk -v name="set-password burst ($1)" '{n = split($0, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
		printf "| %s | %d | %d | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f | %.0f |", name, v["requests"], v["ok"], v["elapsed_ms"] / 1000,
			v["hashes_per_s"], v["p50_ms"], v["p99_ms"], (v["peak_rss_kib"] > v["hwm_kib"] ? v["peak_rss_kib"] : v["hwm_kib"]) / 1024,
			v["cpu_ms_per_hash"], v["faults_per_hash"] }' <<<"$line")")
	log "${BURSTS[-1]}"
}
# The bursts set the passwords of users the set-password runs do not reach.
tail -n 200 "$WORK/password_ids" >"$WORK/burst_ids"

for scenario in $SCENARIOS; do
	offset=0
	for c in $CONNS; do
		case $scenario in
		list_first | search)
			# Each repetition lists with every binary, then runs the same
			# statements through pgbench, as resend does below.
			name="list pending, first page" path="/users?status=invite_pending" script=list_first.sql
			[ "$scenario" = search ] && name="search q=$SEARCH" path="/users?q=$SEARCH" script=search.sql
			for rep in $(seq "$REPS"); do
				for bin in $BINS; do
					use_server "$bin"
					run_scenario "$name ($bin)" get.lua "$path" "" 0 "$c"
				done
				run_pgbench "$c" "$name" "$script"
			done
			;;
		list_deep)
			for rep in $(seq "$REPS"); do
				for bin in $BINS; do
					use_server "$bin"
					bin_cursor=$cursor
					[ "$bin" = now ] || bin_cursor=$(deep_cursor)
					run_scenario "list pending, deep page ($bin)" get.lua "/users?status=invite_pending&cursor=$bin_cursor" "" 0 "$c"
				done
			done
			;;
		resend)
			# An unmeasured run first: the first writes to the freshly
			# seeded tables cost PostgreSQL several times what later ones
			# do (a first repetition at a fifth of the rate of the others
			# was seen), which is the seed's doing, not the binary's.
			use_server now
			threads=$(threads_for "$c")
			warm=$(BENCH_PATH="" BENCH_IDS="$WORK/resend_ids" BENCH_OFFSET=0 BENCH_THREADS=$threads wrk_run "$threads" "$c" resend.lua)
			offset=$(grep -o ' requests=[0-9]*' <<<"$warm" | cut -d= -f2)
			log "warm-up: $offset resends, email queue drained in $(wait_for_queue) s"
			settle
			# Each repetition resends with every binary, then runs the raw
			# SQL, so that all of them see the same state of the machine.
			for rep in $(seq "$REPS"); do
				for bin in $BINS; do
					use_server "$bin"
					run_scenario "resend invite ($bin)" resend.lua "" "$WORK/resend_ids" "$offset" "$c"
					requests=$(requests_of_last_run)
					offset=$((offset + requests))
					log "email queue drained in $(wait_for_queue) s"
					delivery_stats "resend invite ($bin)" "$requests"
					settle
				done
				# The resend's statements alone, then with its email's
				# delivery (deliver.sql) as the service's run had it.
				run_pgbench "$c"
				settle
				run_pgbench "$c" "resend with its delivery" "resend.sql@$(recipients_per_call) deliver.sql@1"
				settle
			done
			;;
		set_password)
			use_server now
			run_scenario "set password" set_password.lua "" "$WORK/password_ids" "$offset" "$c"
			offset=$((offset + $(requests_of_last_run)))
			settle
			;;
		burst)
			[ "$c" = "$(echo "$CONNS" | awk '{print $NF}')" ] || continue # one series, not one per connection count
			for rep in $(seq "$REPS"); do
				for bin in $BINS; do run_burst "$bin"; done
			done
			;;
		*) log "unknown scenario $scenario"; exit 2 ;;
		esac
	done
done

# medians prints, per name (and connections), the median of every numeric
# column of Markdown rows, and how many rows it had.
medians() {
	awk -F'|' '{
		key = $2 "|" $3; if (!(key in n)) order[++keys] = key; n[key]++
		for (i = 3; i < NF; i++) v[key, i, n[key]] = $i; cols = NF
	} END {
		for (k = 1; k <= keys; k++) {
			key = order[k]; line = "|"
			for (i = 2; i < cols; i++) {
				if (i == 2) { split(key, kk, "|"); line = line kk[1] "|"; continue }
				m = n[key]; cnt = 0
				for (j = 1; j <= m; j++) { x = v[key, i, j]; gsub(/[^0-9.]/, "", x); if (x != "") a[++cnt] = x + 0 }
				if (cnt == 0) { line = line " |"; continue }
				for (p = 1; p <= cnt; p++) for (q2 = p + 1; q2 <= cnt; q2++) if (a[q2] < a[p]) { t = a[p]; a[p] = a[q2]; a[q2] = t }
				med = (cnt % 2) ? a[(cnt + 1) / 2] : (a[cnt / 2] + a[cnt / 2 + 1]) / 2
				line = line sprintf(" %g |", med)
			}
			print line " " n[key] " |"
		}
	}'
}

{
	echo "| scenario | connections | req/s | p50 ms | p99 ms | server peak RSS MiB | errors | server CPU ms/req | PostgreSQL CPU ms/req | others' CPU | requests | of which anonymous, MiB |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	if [ "${#DELIVERY[@]}" -gt 0 ]; then
		echo
		echo "| resends of | resends/s | emails/s during the run | emails/s until the last | emails | recipients per call | lag p50 ms | lag p99 ms | lag max ms | last email after the run, s | emails/s in the window a median lag later |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|"
		printf '%s\n' "${DELIVERY[@]}"
	fi
	if [ "${#BURSTS[@]}" -gt 0 ]; then
		echo
		echo "| burst | requests | answered 200 | seconds | hashes/s | p50 ms | p99 ms | server peak RSS MiB | server CPU ms/hash | page faults/hash |"
		echo "|---|---|---|---|---|---|---|---|---|---|"
		printf '%s\n' "${BURSTS[@]}"
	fi
	if [ "$REPS" -gt 1 ]; then
		echo
		echo "Medians of $REPS interleaved repetitions (the last column counts the rows):"
		echo
		echo "| scenario | connections | req/s | p50 ms | p99 ms | server peak RSS MiB | errors | server CPU ms/req | PostgreSQL CPU ms/req | others' CPU | requests | of which anonymous, MiB | runs |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
		printf '%s\n' "${ROWS[@]}" | medians
		if [ "${#DELIVERY[@]}" -gt 0 ]; then
			echo
			echo "| resends of | resends/s | emails/s during the run | emails/s until the last | emails | recipients per call | lag p50 ms | lag p99 ms | lag max ms | last email after the run, s | emails/s in the window a median lag later | runs |"
			echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
			# Delivery rows have no connections column; key them by name alone.
			printf '%s\n' "${DELIVERY[@]}" | sed 's/^| \([^|]*\) |/| \1 | |/' | medians | sed 's/^|\([^|]*\)| |/|\1|/'
		fi
		if [ "${#BURSTS[@]}" -gt 0 ]; then
			echo
			echo "| burst | requests | answered 200 | seconds | hashes/s | p50 ms | p99 ms | server peak RSS MiB | server CPU ms/hash | page faults/hash | runs |"
			echo "|---|---|---|---|---|---|---|---|---|---|---|"
			printf '%s\n' "${BURSTS[@]}" | sed 's/^| \([^|]*\) |/| \1 | |/' | medians | sed 's/^|\([^|]*\)| |/|\1|/'
		fi
	fi
} | tee "$OUT/results.md"

# The issue's targets as ratios of this run: medians (or the single run) at
# the highest connection count, the tree against the raw SQL and, with
# BENCH_BEFORE, against that revision.
TOP_CONNS=$(echo "$CONNS" | awk '{print $NF}')
{
	printf '%s\n' "${ROWS[@]}" | medians
	printf '%s\n' "${DELIVERY[@]}" | sed 's/^| \([^|]*\) |/| \1 | |/' | medians
	printf '%s\n' "${BURSTS[@]}" | sed 's/^| \([^|]*\) |/| \1 | |/' | medians
} >"$WORK/medians.md"
{
	echo "| target | measured (now) | before ($BEFORE) | target met? |"
	echo "|---|---|---|---|"
	awk -F'|' -v c="$TOP_CONNS" -v before="${BEFORE:+1}" -v stable="$SEARCH_PLAN_STABLE" '
	function trim(x) { gsub(/^ +| +$/, "", x); return x }
	{ name = trim($2); conn = trim($3); for (i = 4; i < NF; i++) v[name, conn, i - 3] = trim($i) }
	function rps(n) { return v[n, c, 1] + 0 }
	function pct(a, b) { return b > 0 ? sprintf("%.0f %%", 100 * a / b) : "—" }
	function met(ok) { return ok ? "yes" : "**no**" }
	# ratio prints a target of a rate against a raw SQL rate; note, if
	# any, follows the percentage.
	function ratio(label, n, rawname, goal, note,   now, bef, raw) {
		now = rps(n " (now)"); bef = rps(n " (before)"); raw = rps(rawname ", raw SQL (pgbench)")
		printf "| %s ≥ %d %% of raw SQL | %.0f req/s, raw %.0f: **%s**%s | %s | %s |\n", label, goal, now, raw, pct(now, raw), note,
			before ? sprintf("%.0f req/s: %s of raw; now/before %s", bef, pct(bef, raw), pct(now, bef)) : "—", met(raw > 0 && now >= goal / 100 * raw)
	}
	END {
		n = "resend invite"
		# The rate of delivery itself: the emails that arrived in the run
		# window shifted by the median lag, which, unlike a rate counted from
		# the start of the run to the last arrival, does not depend on how
		# long the run is (each email arrives about one lag after its
		# resend). The verdict also wants an email for every answered resend
		# and the p99 of the lag under a second.
		d = v[n " (now)", "", 1] + 0; e = v[n " (now)", "", 10] + 0
		p50 = v[n " (now)", "", 6]; p99 = v[n " (now)", "", 7]
		all = v[n " (now)", "", 4] + 0 >= v[n " (now)", c, 9] + 0
		printf "| 1. emails delivered/s ≥ resends answered/s, lag p99 < 1 s (%s connections) | %.0f resends/s, %.0f emails/s in the window a median lag later (%s during the run, %s to the last from the start); %s of %s emails; lag p50 %s ms, p99 %s ms | %s | %s |\n", c, d, e, v[n " (now)", "", 2], v[n " (now)", "", 3], v[n " (now)", "", 4], v[n " (now)", c, 9], p50, p99,
			before ? sprintf("%.0f resends/s, %.0f emails/s in the window a median lag later; lag p50 %s ms, p99 %s ms", v[n " (before)", "", 1], v[n " (before)", "", 10], v[n " (before)", "", 6], v[n " (before)", "", 7]) : "—",
			met(d > 0 && e >= 0.99 * d && p99 + 0 < 1000 && all)
		ratio("2. first page", "list pending, first page", "list pending, first page", 60)
		# The resends of the service run with the delivery of their emails
		# beside them; the raw SQL that compares like with like runs the
		# statements of the delivery too (deliver.sql). The statements of
		# the resend alone are shown beside it.
		alone = rps("resend, raw SQL (pgbench)")
		ratio("3. resend", n, "resend with its delivery", 80,
			sprintf(" of the raw SQL with its delivery (the resend statements alone %.0f: %s)", alone, pct(rps(n " (now)"), alone)))
		b = "set-password burst (now)"; bb = "set-password burst (before)"
		printf "| 4. set-password burst of 200: RSS peak < 100 MiB, no GOMEMLIMIT | %s MiB, %s hashes/s | %s | %s |\n", v[b, "", 7], v[b, "", 4],
			before ? sprintf("%s MiB, %s hashes/s", v[bb, "", 7], v[bb, "", 4]) : "—", met(v[b, "", 2] == v[b, "", 1] && v[b, "", 1] > 0 && v[b, "", 7] + 0 < 100)
		l = v["list pending, first page (now)", c, 4]; s = v["search q=okafor (now)", c, 4]; dp = v["list pending, deep page (now)", c, 4]
		m = l + 0; if (s + 0 > m) m = s + 0; if (dp + 0 > m) m = dp + 0
		printf "| 5. server RSS under list load ≤ 50 MiB | peak %s MiB (first page %s, deep page %s, search %s); anonymous %s MiB on the first page | first page %s MiB, anonymous %s | %s |\n", m, l, dp, s,
			v["list pending, first page (now)", c, 10],
			before ? v["list pending, first page (before)", c, 4] : "—", before ? v["list pending, first page (before)", c, 10] : "—", met(m > 0 && m <= 50)
		ratio("6. search", "search q=okafor", "search q=okafor", 80)
		printf "| 6. search plan does not swing with ANALYZE | %s | | %s |\n", stable, met(stable ~ /^the same/)
	}' "$WORK/medians.md"
	echo
	echo "Run of $STARTED: \`$(env | grep -E '^BENCH_(BEFORE|REPS|CONNS|DURATION|SCENARIOS|USERS)=' | sort | tr '\n' ' ')make bench\`; load averages (1, 5, 15 min) $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; each run's share of other programs is the \"others' CPU\" column below."
} | tee "$OUT/ratios.md"
if [ -n "${BENCH_OUT:-}" ]; then log "results and plans in $OUT"; fi
# replace_section FILE NAME CONTENT_FILE swaps what lies between the markers.
replace_section() {
	awk -v name="$2" -v content="$3" '
		$0 == "<!-- bench:" name " -->" { print; while ((getline line < content) > 0) print line; skip = 1; next }
		$0 == "<!-- /bench:" name " -->" { skip = 0 }
		!skip' "$1" >"$1.new" && mv "$1.new" "$1"
}
if [ -n "${BENCH_DOC:-}" ]; then
	replace_section "$BENCH_DOC" results "$OUT/results.md"
	replace_section "$BENCH_DOC" plans "$OUT/plans.md"
	replace_section "$BENCH_DOC" ratios "$OUT/ratios.md"
	log "updated $BENCH_DOC"
fi
[ -n "$PLANS_OK" ] || exit 1
