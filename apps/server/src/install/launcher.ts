/**
 * The agent launcher, /usr/local/lib/wirewarp/wirewarp-launcher: a POSIX sh script the install
 * script writes, and the only thing that decides to roll a self-update back
 * (docs/design/self-update.md). It is the service's command (systemd ExecStart, OpenRC command,
 * and what --no-service runs); it never changes between agent versions.
 *
 * It runs `wirewarp-agent` (next to it) with its own arguments as a child and forwards TERM, INT
 * and HUP to it; when the agent exits 75 (it installed an update) it starts it again in place, so
 * an update works without a service manager too. When the update record (`<stateDir>/update.json`,
 * one line of JSON written by the agent, selfUpdate.ts) says `pending`, it counts the start, and
 * polls the record every second: `confirmed` (the new version connected and applied its state)
 * makes it an ordinary agent again; the child exiting first, the deadline passing (the launcher
 * stops it: TERM, then KILL after 5 s) or a third start roll back: `.previous` is moved over the
 * executable (`wirewarp-agent`, or the bundle `wirewarp-agent.mjs`), the record says
 * `rolled_back` with the reason, and the old version runs (and reports it on its hello).
 *
 * The record is read with sed and written with printf into a temp file, then mv: the values it
 * copies are reduced to version/hash/date characters, and the reasons are fixed phrases with
 * numbers, so the JSON stays valid.
 *
 * No dollar-brace in the shell text: it is a String.raw template.
 */

export const LAUNCHER_EXIT_RESTART = 75

export function renderLauncher(): string {
  return LAUNCHER
}

const LAUNCHER = String.raw`#!/bin/sh
# WireWarp agent launcher, POSIX sh, written by the install script. The service runs
#   wirewarp-launcher run --config /etc/wirewarp/agent.yaml
# and it runs wirewarp-agent (next to it) with the same arguments, again whenever the agent exits
# 75 (it installed an update). With an update pending in STATEDIR/update.json it watches the new
# version and rolls back to wirewarp-agent(.mjs).previous when it exits, does not connect and
# apply its state within the deadline, or was started 3 times. It never changes between versions.
# Test hooks: WIREWARP_LAUNCHER_AGENT (the agent command), WIREWARP_LAUNCHER_STATE (the state
# directory; else the config's stateDir, else /var/lib/wirewarp).

main() {
  HERE=$(cd "$(dirname "$0")" && pwd) || HERE=/usr/local/lib/wirewarp
  AGENT="$WIREWARP_LAUNCHER_AGENT"
  [ -n "$AGENT" ] || AGENT="$HERE/wirewarp-agent"
  STATE="$WIREWARP_LAUNCHER_STATE"
  [ -n "$STATE" ] || STATE=$(state_dir "$(config_arg "$@")")
  [ -n "$STATE" ] || STATE=/var/lib/wirewarp
  RECORD="$STATE/update.json"
  CHILD=""
  STOPPING=0
  RC=0
  DEADLINE=120
  STARTS=0
  WIREWARP_LAUNCHER="$HERE/$(basename "$0")"
  export WIREWARP_LAUNCHER
  # INT comes from a terminal to the whole process group, the agent included: pass it on as TERM,
  # so that the agent sees each signal once.
  trap 'forward TERM' TERM
  trap 'forward TERM' INT
  trap 'forward HUP' HUP
  while :; do
    if [ "$(field state)" = pending ]; then
      supervise "$@"
    else
      start_child "$@"
      wait_child
    fi
    [ "$STOPPING" = 1 ] && exit "$RC"
    if [ "$RC" = 75 ]; then
      log "the agent asks to be started again (exit 75)"
      continue
    fi
    exit "$RC"
  done
}

log() { echo "wirewarp-launcher: $*" >&2; }

forward() {
  STOPPING=1
  [ -n "$CHILD" ] && kill -"$1" "$CHILD" 2>/dev/null
  return 0
}

# The --config argument (the agent's default when none).
config_arg() {
  c=/etc/wirewarp/agent.yaml
  while [ $# -gt 0 ]; do
    case "$1" in
      --config) [ $# -ge 2 ] && c="$2"; shift ;;
      --config=*) c=$(printf '%s' "$1" | sed 's/^--config=//') ;;
    esac
    shift
  done
  printf '%s' "$c"
}

# The stateDir line of the config (YAML written by wirewarp-agent register), quotes removed.
state_dir() {
  [ -r "$1" ] || return 0
  sed -n 's/^stateDir:[[:space:]]*//p' "$1" | head -n 1 | sed "s/[[:space:]]*$//; s/^[\"']//; s/[\"']$//"
}

# field NAME: a string field of the record, reduced to version, hash and date characters.
field() {
  [ -f "$RECORD" ] || return 0
  sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p' "$RECORD" 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9.:_+-'
}

# number NAME: a whole-number field of the record, 0 when missing.
number() {
  n=""
  [ -f "$RECORD" ] && n=$(sed -n 's/.*"'"$1"'":\([0-9][0-9]*\).*/\1/p' "$RECORD" 2>/dev/null | head -n 1)
  [ -n "$n" ] || n=0
  printf '%s' "$n"
}

# write_record STATE REASON FINISHED: REASON and FINISHED are JSON (null or a quoted fixed phrase).
write_record() {
  tmp="$RECORD.launcher-$$.tmp"
  if (umask 077 && printf '{"from":"%s","to":"%s","sha256":"%s","startedAt":"%s","deadlineAt":"%s","deadlineSeconds":%s,"starts":%s,"state":"%s","reason":%s,"finishedAt":%s,"reported":false}\n' \
    "$(field from)" "$(field to)" "$(field sha256)" "$(field startedAt)" "$(field deadlineAt)" \
    "$DEADLINE" "$STARTS" "$1" "$2" "$3" > "$tmp") && mv -f "$tmp" "$RECORD"; then
    return 0
  fi
  rm -f "$tmp"
  log "cannot write $RECORD"
  return 1
}

start_child() {
  "$AGENT" "$@" &
  CHILD=$!
}

# Waits for the child to exit (a trapped signal interrupts wait: wait again); its code in RC.
wait_child() {
  [ -n "$CHILD" ] || return 0
  while :; do
    wait "$CHILD"
    RC=$?
    kill -0 "$CHILD" 2>/dev/null || break
  done
  CHILD=""
}

# Stops the child: TERM, then KILL after 5 s.
stop_child() {
  kill -TERM "$CHILD" 2>/dev/null
  i=0
  while kill -0 "$CHILD" 2>/dev/null && [ "$i" -lt 5 ]; do
    sleep 1
    i=$((i + 1))
  done
  kill -0 "$CHILD" 2>/dev/null && kill -KILL "$CHILD" 2>/dev/null
  wait_child
}

# The record is still the update this launcher started (not a newer one the new version began).
ours() { [ "$(field startedAt) $(field sha256)" = "$ID" ]; }

rollback() {
  restored=""
  for f in "$AGENT.mjs" "$AGENT"; do
    if [ -f "$f.previous" ]; then
      if mv -f "$f.previous" "$f"; then restored="$f"; else log "cannot restore $f from $f.previous"; fi
      break
    fi
  done
  # The reasons are fixed phrases with numbers: no quote or backslash to escape for JSON.
  write_record rolled_back "\"$1\"" "\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\""
  if [ -n "$restored" ]; then
    log "rolled back to the previous version ($restored): $1"
  else
    log "rolling back, but there is no previous version to restore: $1"
  fi
  # Back in the main loop: the old version runs (and reports the rollback on its hello).
  RC=75
}

supervise() {
  ID="$(field startedAt) $(field sha256)"
  DEADLINE=$(number deadlineSeconds)
  [ "$DEADLINE" -ge 1 ] 2>/dev/null || DEADLINE=120
  STARTS=$(number starts)
  if [ "$STARTS" -ge 3 ]; then
    rollback "the new version was started 3 times without connecting and applying its state"
    return 0
  fi
  STARTS=$((STARTS + 1))
  write_record pending null null
  log "starting the new version $(field to) (start $STARTS of 3): it has $DEADLINE s to connect and apply its state"
  start_child "$@"
  waited=0
  while :; do
    if ! kill -0 "$CHILD" 2>/dev/null; then
      wait_child
      if [ "$STOPPING" = 0 ] && ours && [ "$(field state)" = pending ]; then
        rollback "the new version exited with code $RC before it connected"
      fi
      return 0
    fi
    if [ "$STOPPING" = 1 ] || ! ours || [ "$(field state)" != pending ]; then
      # Confirmed (or a newer update began, or the service stops): an ordinary agent from now on.
      wait_child
      return 0
    fi
    if [ "$waited" -ge "$DEADLINE" ]; then
      log "the new version did not confirm within $DEADLINE s: stopping it"
      stop_child
      rollback "the new version did not connect and apply its state within $DEADLINE seconds"
      return 0
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

main "$@"
`
