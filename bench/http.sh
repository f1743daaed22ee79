#!/usr/bin/env bash
# HTTP benchmark: Hearth against nginx serving the same static file, on this
# machine, over loopback only.
#
#   bench/http.sh            10 s per run (BENCH_DURATION overrides)
#   bench/http.sh --quick    2 s per run: a smoke run for the test suite
#
# Environment:
#   HEARTH_BIN         the hearth binary (default: build/hearth next to this dir)
#   BENCH_DURATION     seconds per measured run (default 10; --quick sets 2)
#   BENCH_CONNECTIONS  wrk connections (default 64); wrk always uses 2 threads
#   HEARTH_THREADS     read by `hearth serve` itself: its worker threads
#   BENCH_KEEP=1       keep the temp dir (logs, wrk and ss output) for a look
#
# It installs wrk and nginx from Debian if they are missing, starts a fresh
# Hearth (temp database with the demo data) and nginx in a temp dir, runs wrk
# against four targets, checks every run for errors, prints a table with the
# goals, and removes everything on exit. Exit status: 0 when every run was
# clean (goals BELOW are reported, not failed), non-zero on any error.
set -euo pipefail

usage() {
	sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=2
for arg in "$@"; do
	case "$arg" in
	--quick) DURATION=2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
	esac
done
case "$DURATION" in '' | *[!0-9]* | 0) echo "bench: BENCH_DURATION must be a positive integer" >&2; exit 2 ;; esac
case "$CONNS" in '' | *[!0-9]* | 0) echo "bench: BENCH_CONNECTIONS must be a positive integer" >&2; exit 2 ;; esac
WARMUP=1
EMAIL=admin@riverside-arts.example
PASSWORD=hearth-demo-2026
GOAL_STATIC=0.9 # Hearth /app.css req/s >= 0.9 x nginx /app.css
GOAL_AUTH=0.5   # Hearth /api/v1/auth/me req/s >= 0.5 x nginx /app.css

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HEARTH_BIN=${HEARTH_BIN:-$ROOT/build/hearth}
case "$HEARTH_BIN" in /*) ;; *) HEARTH_BIN=$PWD/$HEARTH_BIN ;; esac
CSS_SRC=$ROOT/web/app.css

log() { echo "bench: $*"; }
die() { echo "bench: error: $*" >&2; exit 1; }

[ -x "$HEARTH_BIN" ] || die "no hearth binary at $HEARTH_BIN (build it: make build, or set HEARTH_BIN)"
[ -f "$CSS_SRC" ] || die "missing $CSS_SRC"

# --- tools: install from Debian only what is missing ---
find_nginx() {
	command -v nginx 2>/dev/null && return 0
	[ -x /usr/sbin/nginx ] && { echo /usr/sbin/nginx; return 0; }
	return 1
}
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
find_nginx >/dev/null || missing+=(nginx-light)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v ss >/dev/null 2>&1 || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
	log "installing missing packages: ${missing[*]}"
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "not root and no sudo: apt-get install ${missing[*]}"
		SUDO="sudo"
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q >/dev/null
	if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
		# nginx-light is only a transitional name on some releases.
		missing=("${missing[@]/nginx-light/nginx}")
		$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
			die "apt-get install ${missing[*]} failed"
	fi
fi
NGINX=$(find_nginx) || die "nginx not found after install"

# --- temp dir and cleanup ---
T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
HEARTH_PID=""
WRK_PID=""
cleanup() {
	local rc=$?
	set +e
	[ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null
	if [ -f "$T/nginx.pid" ]; then
		local np
		np=$(cat "$T/nginx.pid" 2>/dev/null)
		[ -n "$np" ] && kill -QUIT "$np" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$np" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$np" 2>/dev/null && kill -KILL "$np" 2>/dev/null
	fi
	if [ -n "$HEARTH_PID" ]; then
		kill -TERM "$HEARTH_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$HEARTH_PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$HEARTH_PID" 2>/dev/null && kill -KILL "$HEARTH_PID" 2>/dev/null
		wait "$HEARTH_PID" 2>/dev/null
	fi
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $T" >&2; else rm -rf "$T"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nobody listens on now; the servers' start-up is retried on a race.
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# --- Hearth: fresh database with the demo data ---
"$HEARTH_BIN" init --default-country GB --db "$T/h.db" --key-file "$T/h.key" >"$T/init.log" 2>&1 ||
	{ cat "$T/init.log" >&2; die "hearth init failed"; }
"$HEARTH_BIN" demo --db "$T/h.db" --key-file "$T/h.key" >"$T/demo.log" 2>&1 ||
	{ cat "$T/demo.log" >&2; die "hearth demo failed"; }

HPORT=""
for _ in 1 2 3 4 5; do
	port=$(free_port) || die "no free port"
	: >"$T/hearth.log"
	"$HEARTH_BIN" serve --db "$T/h.db" --key-file "$T/h.key" --listen "127.0.0.1:$port" \
		--no-access-log >>"$T/hearth.log" 2>&1 &
	HEARTH_PID=$!
	for _ in $(seq 100); do
		if curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$port/api/v1/health" 2>/dev/null; then
			HPORT=$port
			break
		fi
		kill -0 "$HEARTH_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$HPORT" ] && break
	kill "$HEARTH_PID" 2>/dev/null || true
	wait "$HEARTH_PID" 2>/dev/null || true
	HEARTH_PID=""
done
[ -n "$HPORT" ] || { tail -n 20 "$T/hearth.log" >&2; die "hearth did not start"; }
HURL=http://127.0.0.1:$HPORT
HTHREADS=$(sed -n 's/.* with \([0-9][0-9]*\) threads.*/\1/p' "$T/hearth.log" | head -n 1)
log "$("$HEARTH_BIN" --version 2>/dev/null | head -n 1) on $HURL, pid $HEARTH_PID, ${HTHREADS:-?} worker threads"

# The peak before the login: the login's Argon2id hash alone takes 64 MiB.
HWM_START=$(awk '/^VmHWM:/ { print $2 }' "/proc/$HEARTH_PID/status" 2>/dev/null || echo "?")

# --- log in: the session cookie for the authenticated read ---
curl -sS -m 10 -D "$T/login.h" -o "$T/login.b" -H 'Content-Type: application/json' \
	--data "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$HURL/api/v1/auth/login" ||
	die "login request failed"
SESSION=$(tr -d '\r' <"$T/login.h" | sed -n 's/^[Ss]et-[Cc]ookie: hearth_session=\([^;]*\).*/\1/p' | head -n 1)
[ -n "$SESSION" ] || { cat "$T/login.h" "$T/login.b" >&2; die "login gave no hearth_session cookie"; }
COOKIE="Cookie: hearth_session=$SESSION"

# --- nginx: same file, same kind of response ---
mkdir -p "$T/www" "$T/nginx-tmp"
cp "$CSS_SRC" "$T/www/app.css"
# Hearth serves the copy embedded at build time: when web/app.css has changed
# since, give nginx the bytes Hearth serves, so both send the same file.
curl -fsS -m 10 -o "$T/hearth-app.css" "$HURL/app.css" || die "GET /app.css from hearth failed"
if ! cmp -s "$T/hearth-app.css" "$T/www/app.css"; then
	log "note: web/app.css differs from the copy built into $HEARTH_BIN (rebuild?); nginx serves hearth's copy"
	cp "$T/hearth-app.css" "$T/www/app.css"
fi
nginx_conf() { # port
	local user_line="" temp_paths="" mod
	# As root the workers would drop to "nobody", who cannot read the 0700 temp
	# dir: run them as the same user. Not root: nginx keeps the user anyway.
	[ "$(id -u)" -eq 0 ] && user_line="user root;"
	for mod in proxy fastcgi uwsgi scgi; do
		"$NGINX" -V 2>&1 | grep -q -- "--without-http_${mod}_module" ||
			temp_paths+="    ${mod}_temp_path $T/nginx-tmp/$mod;"$'\n'
	done
	cat <<EOF
$user_line
worker_processes auto;
daemon on;
master_process on;
pid $T/nginx.pid;
error_log $T/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    server_tokens off;
    client_body_temp_path $T/nginx-tmp/body;
$temp_paths
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 75s;
    keepalive_requests 10000000;   # hearth has no per-connection request limit
    types { text/css css; }
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/css;
    server {
        listen 127.0.0.1:$1 backlog=1024;
        root $T/www;
        location = /app.css {
            # The headers Hearth sends with every static file.
            add_header Cache-Control "no-cache" always;
            add_header X-Content-Type-Options "nosniff" always;
            add_header Referrer-Policy "no-referrer" always;
            add_header X-Frame-Options "DENY" always;
            add_header Cross-Origin-Opener-Policy "same-origin" always;
            add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;
            add_header Content-Security-Policy "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" always;
        }
        location / { return 404; }
    }
}
EOF
}
NPORT=""
for _ in 1 2 3 4 5; do
	port=$(free_port) || die "no free port"
	nginx_conf "$port" >"$T/nginx.conf"
	rm -f "$T/nginx.pid"
	if "$NGINX" -p "$T/" -e "$T/nginx-error.log" -c "$T/nginx.conf" >>"$T/nginx-start.log" 2>&1; then
		for _ in $(seq 50); do
			if curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$port/app.css" 2>/dev/null; then
				NPORT=$port
				break
			fi
			sleep 0.1
		done
	fi
	[ -n "$NPORT" ] && break
	if [ -f "$T/nginx.pid" ]; then kill -QUIT "$(cat "$T/nginx.pid")" 2>/dev/null || true; sleep 0.5; fi
done
[ -n "$NPORT" ] || { cat "$T/nginx-start.log" "$T/nginx-error.log" >&2 2>/dev/null; die "nginx did not start"; }
NURL=http://127.0.0.1:$NPORT
log "nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') on $NURL, $(grep -c . <<<"$(pgrep -P "$(cat "$T/nginx.pid")" || true)") workers, same security headers"

# --- the runs ---
NAMES=("hearth /api/v1/health" "hearth /api/v1/auth/me" "hearth /app.css" "nginx  /app.css")
URLS=("$HURL/api/v1/health" "$HURL/api/v1/auth/me" "$HURL/app.css" "$NURL/app.css")
HDRS=("" "$COOKIE" "" "")
PORTS=("$HPORT" "$HPORT" "$HPORT" "$NPORT")
SERVERS=(hearth hearth hearth nginx)
RPS=()
P99=()
SIZES=()
CPU_US=() # server CPU time (user + system) per request, microseconds
CTXSW=()  # server context switches per request
RUN_OK=() # 1 when the run was clean
errors=0
runs=0

to_ms() { # wrk latency ("850.00us", "1.20ms", "2.01s") -> milliseconds
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
		else printf "?" }'
}

# Connections to the server's port that have never had a byte back: wrk counts
# nothing for a request that is never answered, so a server that leaves some
# connections waiting looks fast. The kernel knows (ss: bytes_sent).
unanswered() { # port, log file -> "total answered"
	local out
	out=$(ss -tniH state established "( sport = :$1 )" 2>>"$2" || true)
	printf '%s\n' "$out" >>"$2"
	printf '%s\n' "$out" | awk '
		/^[0-9]/ { n++; getline; if ($0 ~ /bytes_sent:[1-9]/) a++ }
		END { printf "%d %d\n", n, a }'
}

server_pids() { # hearth|nginx
	if [ "$1" = hearth ]; then
		echo "$HEARTH_PID"
	else
		local m
		m=$(cat "$T/nginx.pid")
		echo "$m" "$(pgrep -P "$m" | tr '\n' ' ')"
	fi
}
cpu_ticks() { # pids... -> utime + stime of all their threads, in clock ticks
	local p s=0 v
	for p in "$@"; do
		v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		s=$((s + ${v:-0}))
	done
	echo "$s"
}
ctx_switches() { # pids... -> voluntary + involuntary context switches of all their threads
	local p
	for p in "$@"; do cat "/proc/$p/task/"*/status 2>/dev/null; done |
		awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { printf "%d\n", s }'
}
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# Other work on the machine skews every figure: say how busy it was.
cpu_idle() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
read -r idle0 all0 < <(cpu_idle)
sleep 1
read -r idle1 all1 < <(cpu_idle)
BUSY=$(awk -v i=$((idle1 - idle0)) -v a=$((all1 - all0)) 'BEGIN { printf "%.0f", (a > 0 ? 100 * (1 - i / a) : 0) }')
if [ "$BUSY" -gt 10 ]; then
	log "warning: the machine was ${BUSY}% busy before the runs (other processes); expect noisy figures"
fi

for i in "${!NAMES[@]}"; do
	name=${NAMES[$i]} url=${URLS[$i]} hdr=${HDRS[$i]} port=${PORTS[$i]}
	hargs=()
	[ -n "$hdr" ] && hargs=(-H "$hdr")
	runs=$((runs + 1))
	# The response first: status and sizes (headers + body), as the client sees them.
	read -r code hsize bsize < <(curl -sS -m 5 -o /dev/null "${hargs[@]}" \
		-w '%{http_code} %{size_header} %{size_download}\n' "$url" || echo "000 0 0")
	SIZES+=("${hsize}+${bsize}")
	if [ "$code" != 200 ]; then
		log "$name: answered $code, not 200"
		errors=$((errors + 1)) RPS+=("0") P99+=("-") CPU_US+=("-") CTXSW+=("-") RUN_OK+=(0)
		continue
	fi
	wrk -t "$WRK_THREADS" -c "$CONNS" -d "${WARMUP}s" "${hargs[@]}" "$url" >"$T/warm.$i" 2>&1 || true
	read -r -a spids <<<"$(server_pids "${SERVERS[$i]}")"
	ticks0=$(cpu_ticks "${spids[@]}")
	cs0=$(ctx_switches "${spids[@]}")
	wrk -t "$WRK_THREADS" -c "$CONNS" -d "${DURATION}s" --latency "${hargs[@]}" "$url" >"$T/wrk.$i" 2>&1 &
	WRK_PID=$!
	# Look at a quarter, half and three quarters of the run; keep the best.
	total=0 answered=0
	for _ in 1 2 3; do
		sleep "$(awk -v d="$DURATION" 'BEGIN { print d / 4 }')"
		read -r t a < <(unanswered "$port" "$T/ss.$i")
		[ "$t" -gt "$total" ] && total=$t
		[ "$a" -gt "$answered" ] && answered=$a
	done
	wrc=0
	wait "$WRK_PID" || wrc=$?
	WRK_PID=""
	ticks1=$(cpu_ticks "${spids[@]}")
	cs1=$(ctx_switches "${spids[@]}")
	out=$T/wrk.$i
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	sockerr=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
	reqs=$(awk '/requests in/ { print $1 }' "$out")
	run_err=""
	[ "$wrc" -eq 0 ] || run_err+=" wrk exited $wrc;"
	[ -n "$rps" ] && [ "${reqs:-0}" -gt 0 ] || run_err+=" no requests completed;"
	[ "${non2xx:-0}" -eq 0 ] || run_err+=" $non2xx non-2xx responses;"
	[ "${sockerr:-0}" -eq 0 ] || run_err+=" socket errors: $(grep 'Socket errors' "$out" | sed 's/^ *Socket errors: //');"
	if [ "$total" -lt "$CONNS" ] || [ "$answered" -lt "$CONNS" ]; then
		run_err+=" only $answered of $CONNS connections were ever answered (the rest waited the whole run);"
	fi
	if [ -n "$run_err" ]; then
		log "$name: ERROR:$run_err"
		errors=$((errors + 1))
		RUN_OK+=(0)
	else
		RUN_OK+=(1)
	fi
	RPS+=("${rps:-0}")
	P99+=("$(to_ms "${p99:-?}")")
	CPU_US+=("$(awk -v t=$((ticks1 - ticks0)) -v hz="$CLK_TCK" -v n="${reqs:-0}" \
		'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-" }')")
	CTXSW+=("$(awk -v c=$((cs1 - cs0)) -v n="${reqs:-0}" 'BEGIN { if (n > 0) printf "%.2f", c / n; else print "-" }')")
done

# --- report ---
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
nginx_rps=${RPS[3]}
echo
echo "wrk: $WRK_THREADS threads, $CONNS connections, ${DURATION}s per run (after a ${WARMUP}s warm-up);" \
	"$(nproc) cores shared by wrk, hearth and nginx; machine ${BUSY}% busy before the runs"
FMT='%-24s %9s %12s %8s %15s %12s %8s %10s\n'
# shellcheck disable=SC2059
printf "$FMT" "target" "req/s" "p99 latency" "x nginx" "resp bytes h+b" "srv CPU/req" "CPU eff" "ctxsw/req"
# shellcheck disable=SC2059
printf "$FMT" "------" "-----" "-----------" "-------" "--------------" "-----------" "-------" "---------"
for i in "${!NAMES[@]}"; do
	# CPU eff: nginx's server CPU per request over this target's (1.00 = as cheap as nginx).
	# shellcheck disable=SC2059
	printf "$FMT" "${NAMES[$i]}" "$(printf '%.0f' "${RPS[$i]}")" "${P99[$i]} ms" \
		"$(ratio "${RPS[$i]}" "$nginx_rps")" "${SIZES[$i]}" "${CPU_US[$i]} us" \
		"$(ratio "${CPU_US[3]}" "${CPU_US[$i]}")" "${CTXSW[$i]}"
done
echo
goal() { # label, run index, threshold
	local v verdict
	v=$(ratio "${RPS[$2]}" "$nginx_rps")
	verdict=$(awk -v v="$v" -v g="$3" 'BEGIN { print (v != "-" && v + 0 >= g) ? "PASS" : "BELOW" }')
	if [ "${RUN_OK[$2]}" != 1 ] || [ "${RUN_OK[3]}" != 1 ]; then
		verdict="NO VERDICT (a run it needs had errors)"
	fi
	printf 'goal: %-44s %5s x nginx (want >= %s)  %s\n' "$1" "$v" "$3" "$verdict"
}
goal "hearth static /app.css" 2 "$GOAL_STATIC"
goal "hearth authenticated read /api/v1/auth/me" 1 "$GOAL_AUTH"
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$HEARTH_PID/status" 2>/dev/null || true)
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$HEARTH_PID/status" 2>/dev/null || true)
echo "hearth peak RSS (VmHWM): ${hwm:-?} kB (before the login: $HWM_START kB; now: ${rss:-?} kB);" \
	"worker threads: ${HTHREADS:-?}"
echo "bench: $runs runs, $errors errors"
[ "$errors" -eq 0 ]
