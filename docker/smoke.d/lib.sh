# Helpers for docker/smoke: the counters, the Docker engine, waiting on containers. Sourced, not run.
passed=0 failed=0

pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ $# -lt 2 ] || printf '       %s\n' "$2" | head -c 4000; echo; }
# expect NAME WANTED GOT: exact equality
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "wanted: $2 | got: $3"; fi; }
# contains NAME NEEDLE HAYSTACK
contains() { if [[ $3 == *"$2"* ]]; then pass "$1"; else fail "$1" "wanted to find: $2 | in: $(tail -c 1500 <<<"$3")"; fi; }
lacks() { if [[ $3 == *"$2"* ]]; then fail "$1" "found: $2"; else pass "$1"; fi; }

log() { printf '\n--- %s (%ss)\n' "$*" "$(( $(date +%s) - smoke_started ))"; }

# Debian's docker.io and debootstrap (not when the bases are pulled), installed when missing; the engine started
# when none answers.
ensure_docker() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [ "${SMOKE_BASES:-build}" = pull ] || command -v debootstrap >/dev/null || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
      || { echo "smoke: could not install ${missing[*]}"; return 1; }
  fi
  if ! docker info >/dev/null 2>&1; then
    echo "starting dockerd (log: $smoke_tmp/dockerd.log)"
    # No bridge, no iptables: containers use --network host or none, nothing leaves 127.0.0.1.
    # dockerd outlives this run: it must inherit none of our descriptors above 2, above all the one that
    # `flock /tmp/nimlet-docker.lock docker/smoke` holds, or dockerd keeps that lock for ever and every later
    # smoke run waits on it.
    (
      for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null; done
      exec setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false >"$smoke_tmp/dockerd.log" 2>&1 </dev/null
    ) &
    local i
    for i in $(seq 1 60); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
    echo "smoke: dockerd did not start:"; tail -20 "$smoke_tmp/dockerd.log"; return 1
  fi
}

# wait_for_log CONTAINER TEXT SECONDS: 0 once TEXT is in its logs, 1 when it exited or time ran out
wait_for_log() {
  local i
  for i in $(seq 1 "$3"); do
    docker logs "$1" 2>&1 | grep -qF -- "$2" && return 0
    [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] || { docker logs "$1" 2>&1 | grep -qF -- "$2"; return; }
    sleep 1
  done
  return 1
}

requests() { [ -f "$server_log" ] && wc -l <"$server_log" | tr -d ' ' || echo 0; }

# Lines "fake-vllm: argv[i]=X" back to one JSON array, to compare with `serve --dry-run --json`'s argv.
engine_argv_json() { sed -n 's/^fake-vllm: argv\[[0-9]*\]=//p' | node -e 'const l=require("fs").readFileSync(0,"utf8").split("\n");l.pop();console.log(JSON.stringify(l))'; }
