#!/usr/bin/env bash
# Load test of the people API on PostgreSQL (BENCHMARKS.md explains the
# numbers). It creates a throwaway database, seeds it, starts the server on
# 127.0.0.1, runs each scenario with wrk at each connection count, measures
# a burst of concurrent password sets, prints a Markdown table, then stops
# the server and drops the database, also when interrupted.
#
# Needs: go, psql, curl, wrk (Debian: apt-get install wrk), a PostgreSQL
# server where the user may create databases, and Linux /proc.
#
# Settings (environment):
#   BENCH_PG        server to create the throwaway database on
#                   (default postgres://postgres@127.0.0.1:5432)
#   BENCH_PORT      HTTP port on 127.0.0.1 (default 18080)
#   BENCH_DURATION  per run (default 15s)
#   BENCH_CONNS     connection counts (default "1 32")
#   BENCH_SCENARIOS subset of: list_first list_deep search resend set_password
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
SCENARIOS=${BENCH_SCENARIOS:-list_first list_deep search resend set_password}
USERS=${BENCH_USERS:-100000}
SEARCH=okafor
BASE=http://127.0.0.1:$PORT

for tool in go psql curl wrk; do
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
DB_CREATED=

cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null || true
	fi
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

log "building"
go build -o "$WORK/invited" ./cmd/invited
go build -o "$WORK/seed" ./internal/bench/seed
go build -o "$WORK/explain" ./internal/bench/explain
go build -o "$WORK/burst" ./internal/bench/burst

log "creating database $DB"
psql -q "$PG/postgres?sslmode=disable" -c "CREATE DATABASE $DB"
DB_CREATED=1
"$WORK/seed" -database-url "$DB_URL" -users "$USERS" >&2
q() { psql -qAt "$DB_URL" -c "$1"; }
AUTOVACUUM=$(q "SHOW autovacuum")

export DATABASE_URL=$DB_URL HTTP_ADDR=127.0.0.1:$PORT DNS_RESOLVER=off
export JWT_SECRET=${JWT_SECRET:-bench-only-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export LOG_LEVEL=${LOG_LEVEL:-warn} LOG_FORMAT=${LOG_FORMAT:-json}
start_server() {
	"$WORK/invited" serve >"$WORK/server.out" 2>>"$OUT/server.log" &
	SERVER_PID=$!
	for _ in $(seq 100); do
		curl -sf "$BASE/readyz" >/dev/null && return
		kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
		sleep 0.1
	done
	log "server did not become ready"
	exit 1
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

# The deep page: follow next_cursor 200 rows at a time to 80 % of the listing.
cursor=
for _ in $(seq $((PENDING * 4 / 5 / 200))); do
	page=$(curl -sf -H "Authorization: Bearer $BENCH_TOKEN" "$BASE/users?status=invite_pending&limit=200${cursor:+&cursor=$cursor}")
	cursor=$(printf '%s' "$page" | grep -o '"next_cursor":"[^"]*"' | cut -d'"' -f4)
done
[ -n "$cursor" ] || { log "no deep cursor"; exit 1; }

[ "$AUTOVACUUM" = on ] || log "autovacuum is off on this server: vacuuming after each scenario that writes"
log "explaining the listing queries"
PLANS_OK=1
if ! "$WORK/explain" -database-url "$DB_URL" -q "$SEARCH" >"$OUT/plans.md"; then
	PLANS_OK=
	log "a listing plan reads the whole users table (see $OUT/plans.md); measuring anyway"
fi

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
	for _ in $(seq 30); do
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
# next scenario does not share the CPU with them; prints the seconds it took.
wait_for_queue() {
	local start=$SECONDS
	while [ "$(q "SELECT count(*) FROM river_job WHERE state IN ('available', 'running')")" != 0 ]; do
		[ $((SECONDS - start)) -lt 600 ] || { log "email queue did not drain"; break; }
		sleep 1
	done
	echo $((SECONDS - start))
}

ROWS=()
run_scenario() { # name script path ids offset conns
	local name=$1 script=$2 path=$3 ids=$4 offset=$5 c=$6 threads=1
	[ "$c" -gt 1 ] && threads=2
	quiet
	echo 5 >"/proc/$SERVER_PID/clear_refs" # reset VmHWM to the current RSS
	local s0 b0 peak=0 line
	pg_snapshot >"$WORK/pg0"
	s0=$(proc_ticks "$SERVER_PID") b0=$(machine_busy)
	times >"$WORK/times0" # in this shell: its children so far, wrk to come
	: >"$WORK/pg_samples"
	: >"$WORK/rss"
	(while kill -0 "$SERVER_PID" 2>/dev/null; do
		rss_kib VmRSS >>"$WORK/rss"
		pg_snapshot >>"$WORK/pg_samples"
		sleep 0.5
	done) &
	local sampler=$!
	line=$(BENCH_PATH=$path BENCH_IDS=$ids BENCH_OFFSET=$offset BENCH_THREADS=$threads \
		wrk -t"$threads" -c"$c" -d"$DURATION" --timeout 10s -s "bench/wrk/$script" "$BASE" | grep '^BENCH ')
	kill "$sampler"; wait "$sampler" 2>/dev/null || true
	local s1 b1 hwm wrk_ticks pg
	s1=$(proc_ticks "$SERVER_PID") b1=$(machine_busy) hwm=$(rss_kib VmHWM)
	pg_snapshot >"$WORK/pg1"
	pg=$(pg_delta "$WORK/pg0" "$WORK/pg_samples" "$WORK/pg1")
	times >"$WORK/times1"
	peak=$(sort -n "$WORK/rss" | tail -1)
	# Children's user and system time, the second line of `times`.
	wrk_ticks=$(awk -v t="$TICK" 'function s(x) { split(x, v, "m"); return v[1] * 60 + v[2] }
		FNR == 2 { c[FILENAME] = s($1) + s($2) } END { printf "%d", (c[ARGV[2]] - c[ARGV[1]]) * t }' "$WORK/times0" "$WORK/times1")
	echo "$name c=$c $line server_ticks=$((s1 - s0)) pg_ticks=$pg busy_ticks=$((b1 - b0)) wrk_ticks=$wrk_ticks peak_rss_kib=$peak hwm_kib=$hwm" >>"$OUT/raw.txt"
	ROWS+=("$(awk -v name="$name" -v c="$c" -v t="$TICK" -v peak="$peak" -v hwm="$hwm" \
		-v st=$((s1 - s0)) -v pt="$pg" -v bt=$((b1 - b0)) -v wt="$wrk_ticks" -v line="$line" 'BEGIN{
		n = split(line, kv, " "); for (i = 2; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
		secs = v["duration_us"] / 1e6; req = v["requests"]
		others = (bt - st - pt - wt) / t / secs * 100; if (others < 0) others = 0
		printf "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %.2f | %.2f | %.0f %% | %d |",
			name, c, v["rps"], v["p50_us"] / 1000, v["p99_us"] / 1000, (peak > hwm ? peak : hwm) / 1024,
			v["status_errors"] + v["socket_errors"], st / t / req * 1000, pt / t / req * 1000, others, req }')")
	log "${ROWS[-1]}"
}

# requests_of_last_run is how many requests the latest run sent: runs that
# change users start where the previous one stopped in their id list.
requests_of_last_run() { tail -1 "$OUT/raw.txt" | grep -o ' requests=[0-9]*' | cut -d= -f2; }
for scenario in $SCENARIOS; do
	offset=0
	for c in $CONNS; do
		case $scenario in
		list_first) run_scenario "list pending, first page" get.lua "/users?status=invite_pending" "" 0 "$c" ;;
		list_deep) run_scenario "list pending, deep page" get.lua "/users?status=invite_pending&cursor=$cursor" "" 0 "$c" ;;
		search) run_scenario "search q=$SEARCH" get.lua "/users?q=$SEARCH" "" 0 "$c" ;;
		resend)
			run_scenario "resend invite" resend.lua "" "$WORK/resend_ids" "$offset" "$c"
			offset=$((offset + $(requests_of_last_run)))
			log "email queue drained in $(wait_for_queue) s"
			settle
			;;
		set_password)
			run_scenario "set password" set_password.lua "" "$WORK/password_ids" "$offset" "$c"
			offset=$((offset + $(requests_of_last_run)))
			settle
			;;
		*) log "unknown scenario $scenario"; exit 2 ;;
		esac
	done
done


# The burst, on users the set-password runs did not reach (the end of the
# list): once as configured, once more under a soft memory limit, which is
# how a deployment bounds what the garbage collector lets argon2id's
# discarded 19 MiB blocks pile up to.
MEMLIMIT=${BENCH_BURST_GOMEMLIMIT:-100MiB}
log "set-password burst"
quiet
tail -n 200 "$WORK/password_ids" >"$WORK/burst_ids"
BURST=$("$WORK/burst" -url "$BASE" -ids "$WORK/burst_ids" -n 200 -pid "$SERVER_PID")
echo "$BURST" >>"$OUT/raw.txt"
log "set-password burst with GOMEMLIMIT=$MEMLIMIT"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
GOMEMLIMIT=$MEMLIMIT start_server
quiet
tail -n 400 "$WORK/password_ids" | head -n 200 >"$WORK/burst_ids"
BURST_LIMITED=$("$WORK/burst" -url "$BASE" -ids "$WORK/burst_ids" -n 200 -pid "$SERVER_PID")
echo "GOMEMLIMIT=$MEMLIMIT $BURST_LIMITED" >>"$OUT/raw.txt"

{
	echo "| scenario | connections | req/s | p50 ms | p99 ms | server peak RSS MiB | errors | server CPU ms/req | PostgreSQL CPU ms/req | others' CPU | requests |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	burst_line() {
		awk -v how="$1" '{n = split($0, kv, " "); for (i = 2; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
		printf "Set-password burst%s: %d concurrent requests, all %d answered 200 in %.1f s (%.0f hashes/s); latency p50 %.0f ms, p99 %.0f ms; server peak RSS %.0f MiB.\n",
			how, v["requests"], v["ok"], v["elapsed_ms"] / 1000, v["hashes_per_s"], v["p50_ms"], v["p99_ms"],
			(v["peak_rss_kib"] > v["hwm_kib"] ? v["peak_rss_kib"] : v["hwm_kib"]) / 1024 }' <<<"$2"
	}
	burst_line "" "$BURST"
	echo
	burst_line " with GOMEMLIMIT=$MEMLIMIT" "$BURST_LIMITED"
} | tee "$OUT/results.md"
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
	log "updated $BENCH_DOC"
fi
[ -n "$PLANS_OK" ] || exit 1
