#!/usr/bin/env bash
# make run: the gateway on CHATBOT_ADDR with ELIZA, and the chat page.
#
# In order: the address is checked before anything else (a taken port is one
# line that says how to choose another, and nothing more); the gateway is
# built, saying so first; the chat page starts building in the background
# when web/out is stale; the gateway starts, and the banner (the curl to try,
# the page's address) is printed only once the server answers, so it never
# points at someone else's server. Ctrl-C stops the gateway and exits
# quietly.
#
# The Makefile passes GO, MAKE, CHATBOT_ADDR, CHATBOT_WEB_DIR, WEB_DIR,
# WEB_BUILD_STAMP, APIKEY_FILE and VERSION in the environment.
set -uo pipefail

GO="${GO:-go}"
MAKE="${MAKE:-make}"
addr="${CHATBOT_ADDR:-127.0.0.1:8080}"
web_dir="${CHATBOT_WEB_DIR:-web/out}"
apikey_file="${APIKEY_FILE:-.local/api-key-sha256s}"

# check_addr exits with one line when addr cannot be bound; it suggests the
# next port that can. Node (which the chat page needs anyway) binds the way
# the gateway will, so "in use" and "not an address here" are told apart.
check_addr() {
  local msg
  msg="$(ADDR="$addr" node - <<'EOF'
const net = require("node:net");
const addr = process.env.ADDR;
const i = addr.lastIndexOf(":");
const host = addr.slice(0, i).replace(/^\[(.*)\]$/, "$1");
const port = Number(addr.slice(i + 1));
const show = (p) => (host.includes(":") ? `[${host}]:${p}` : `${host}:${p}`);
const tryListen = (p) =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", (err) => resolve(err));
    s.listen({ host: host || undefined, port: p, exclusive: true }, () => s.close(() => resolve(null)));
  });
(async () => {
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.log(`CHATBOT_ADDR=${addr} is not host:port; choose an address: CHATBOT_ADDR=127.0.0.1:8081 make run`);
    process.exit(1);
  }
  const err = await tryListen(port);
  if (!err) process.exit(0);
  if (err.code !== "EADDRINUSE") {
    console.log(`cannot listen on ${addr} (${err.code}); choose another address: CHATBOT_ADDR=127.0.0.1:8081 make run`);
    process.exit(1);
  }
  let next = 0;
  for (let p = port + 1; p < port + 50 && p <= 65535; p++) {
    if (!(await tryListen(p))) { next = p; break; }
  }
  console.log(`${addr} is already in use (another gateway or program listens there); ` +
    `choose another address: CHATBOT_ADDR=${show(next || port + 1)} make run`);
  process.exit(1);
})();
EOF
)"
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "make run: ${msg:-cannot check $addr (is node installed?)}" >&2
    exit 1
  fi
}
check_addr

auth=
if [ -n "${API_KEY_SHA256S:-}" ]; then
  auth=on
elif [ -s "$apikey_file" ]; then
  API_KEY_SHA256S="$(grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*#' "$apikey_file" | tr -d ' \t\r' | paste -sd, -)"
  export API_KEY_SHA256S
  auth=on
  echo "API keys from $apikey_file: auth is on; paste a key into the chat page when it asks"
fi
if [ -n "${COGNITO_USER_POOL_ID:-}${OIDC_ISSUER:-}${API_KEYS_SECRET_ARN:-}" ]; then auth=on; fi

web=
gateway=
stopping=
cleanup() {
  if [ -n "$web" ]; then kill -- "-$web" 2>/dev/null; fi
  if [ -n "$gateway" ]; then kill "$gateway" 2>/dev/null; fi
}
trap cleanup EXIT
# Ctrl-C reaches go build and the gateway too (same process group); the
# gateway shuts down gracefully, and this script then exits 0 so make has no
# error to report.
trap 'stopping=1; [ -n "$gateway" ] && kill -INT "$gateway" 2>/dev/null' INT
trap 'stopping=1; [ -n "$gateway" ] && kill -TERM "$gateway" 2>/dev/null' TERM

mkdir -p dist
echo "building the gateway… (about 70 s the first time, with empty Go caches on 2 cores; seconds after that)"
# Without cgo and with lambda.norpc, as on Lambda: the gateway needs
# neither, and a first build then compiles no C (runtime/cgo, the cgo parts
# of net and os/user) and not the go1.x runtime's net/rpc, gob and templates.
if ! CGO_ENABLED=0 "$GO" build -tags lambda.norpc -ldflags "-X main.version=${VERSION:-unknown}" -o dist/chatbot ./cmd/chatbot; then
  [ -n "$stopping" ] && exit 0
  exit 1
fi
if [ -n "$stopping" ]; then exit 0; fi

if [ "$web_dir" = "${WEB_DIR:-web}/out" ] && ! "$MAKE" -q --no-print-directory "${WEB_BUILD_STAMP:-web/out/.build-stamp}" 2>/dev/null; then
  # Its own session: Ctrl-C is for the gateway; cleanup ends the build.
  setsid bash -c 'if nice -n 10 "$0" --no-print-directory web-build >dist/web-build.log 2>&1; then
      echo "Chat page ready: http://$1/"
    else echo "The chat page did not build (see dist/web-build.log); the API still works"; fi' "$MAKE" "$addr" &
  web=$!
fi

CHATBOT_ADDR="$addr" CHATBOT_WEB_DIR="$web_dir" ELIZA_WORD_DELAY="${ELIZA_WORD_DELAY:-40ms}" ./dist/chatbot &
gateway=$!

# The banner waits for the server to answer /healthz; if the gateway exits
# first (a bad setting, or the port taken since the check), its own message
# is all there is.
host="${addr%:*}"
port="${addr##*:}"
case "$host" in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
answers() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 1 "http://$host:$port/healthz" 2>/dev/null
  else
    (exec 3<>"/dev/tcp/${host//[\[\]]/}/$port") 2>/dev/null
  fi
}
until [ -n "$stopping" ] || answers; do
  if ! kill -0 "$gateway" 2>/dev/null; then
    wait "$gateway"
    exit $?
  fi
  sleep 0.1
done

if [ -z "$stopping" ]; then
  echo
  echo "API: http://$addr/v1/chat/completions"
  if [ -n "$auth" ]; then
    echo "Auth is on: set CHATBOT_API_KEY to a key from make apikey, then"
    echo "Try:  curl -N http://$addr/v1/chat/completions -H \"Authorization: Bearer \$CHATBOT_API_KEY\" \\"
    echo "        -H 'Content-Type: application/json' \\"
  else
    echo "Try:  curl -N http://$addr/v1/chat/completions -H 'Content-Type: application/json' \\"
  fi
  echo "        -d '{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"I am worried about my mother\"}]}'"
  if [ -n "$web" ]; then
    echo "Chat page: building in the background; http://$addr/ says so until it is ready"
  else
    echo "Chat page: http://$addr/ (from $web_dir)"
  fi
  echo
fi

# wait returns early when a trapped signal arrives; wait again until the
# gateway has finished its graceful shutdown.
while kill -0 "$gateway" 2>/dev/null; do wait "$gateway"; done
wait "$gateway"
status=$?
gateway=
if [ -n "$stopping" ]; then exit 0; fi
exit "$status"
