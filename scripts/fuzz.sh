#!/usr/bin/env bash
# `make fuzz`: the API tried as its clients would, against its own OpenAPI schema.
#
# A throw-away instance (its own SQLite file, the demo data) is served by gunicorn on a free port of
# 127.0.0.1; schemathesis generates requests from /api/schema/ with every check, once as the Centre case
# manager (who sees every case) and once as an NGO case worker (who sees only the cases ASTRA is involved
# in). Any server error, undocumented status, response that breaks its schema, or valid request refused
# fails the run. FUZZ_EXAMPLES sets the examples per operation (default 15), FUZZ_USERS the logins.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
EXAMPLES=${FUZZ_EXAMPLES:-15}
USERS=${FUZZ_USERS:-casemanager ngo}
WORK=$(mktemp -d)
export OPENNRM_MODE=demo OPENNRM_VAR_DIR="$WORK" OPENNRM_REQUIRE_2FA=0
unset DATABASE_URL
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== fuzz: a fresh demo instance in $WORK"
"$BIN/opennrm" migrate --noinput >/dev/null
"$BIN/opennrm" demo --if-empty >/dev/null

PORT=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/gunicorn" config.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers 2 --log-level warning --error-logfile "$WORK/gunicorn.log" &
PID=$!
for _ in $(seq 1 60); do
  if "$BIN/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/api/schema/')" 2>/dev/null; then
    break
  fi
  sleep 0.5
done

status=0
# too_slow is Hypothesis timing how fast it draws data on this machine (a loaded one fails it), not a
# check of the API: the contract checks all run.
for user in $USERS; do
  token=$("$BIN/opennrm" token create "$user" --name fuzz --days 1)
  echo "== fuzz: schemathesis as $user ($EXAMPLES examples per operation)"
  if ! "$BIN/schemathesis" run "http://127.0.0.1:$PORT/api/schema/" --checks all \
    -H "Authorization: Bearer $token" --max-examples "$EXAMPLES" --workers 2 --seed 1 --no-color \
    --suppress-health-check=too_slow; then
    status=1
  fi
done
if [ -s "$WORK/gunicorn.log" ]; then
  echo "== fuzz: server log"
  cat "$WORK/gunicorn.log"
fi
exit $status
