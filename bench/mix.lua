-- wrk script for bench/scale.sh: a read/write mix as an admin.
-- Four in five requests read the current user (GET /api/v1/auth/me); one
-- in five creates an organisation (a write with an audit entry, the row
-- every write contends on). Env: BENCH_COOKIE, BENCH_CSRF, BENCH_PREFIX.
local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
local prefix = os.getenv("BENCH_PREFIX") or "n"
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n = 0
function request()
  n = n + 1
  if n % 5 == 0 then
    local body = string.format('{"name":"bench %s %d %d","kind":"partner"}', prefix, tid, n)
    return wrk.format("POST", "/api/v1/organisations",
      { ["Content-Type"] = "application/json", ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf }, body)
  end
  return wrk.format("GET", "/api/v1/auth/me", { ["Cookie"] = cookie })
end

local errors = 0
function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT req_s=%.0f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
