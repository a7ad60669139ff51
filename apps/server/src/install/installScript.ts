/**
 * The agent installer served at /install/server and /install/client: POSIX sh for stock Debian,
 * Ubuntu, Alpine and Fedora-likes, run as root or through sudo/doas. The shell text below
 * starts with the install layout, which the agent's uninstall command removes in the same way;
 * keep both in step. e2e/install/debian.test.ts runs it in a stock Debian 12 container,
 * e2e/agents/install.test.ts under a directory with its test hooks.
 *
 * Layout (also at the top of the script):
 *   /usr/local/lib/wirewarp/wirewarp-agent      the executable, or a sh wrapper running node on
 *   /usr/local/lib/wirewarp/wirewarp-agent.mjs  the plain bundle (musl, other architectures)
 *   /usr/local/lib/wirewarp/wirewarp-launcher   the service's command: runs the agent, rolls a failed
 *                                               self-update back (launcher.ts)
 *   /usr/local/lib/wirewarp/installed           every file/directory the install created, one a line
 *   /usr/local/bin/wirewarp-agent               symlink to /usr/local/lib/wirewarp/wirewarp-agent
 *   /etc/wirewarp/agent.yaml                    config; /var/lib/wirewarp state
 *   /etc/systemd/system/wirewarp-agent.service  or /etc/init.d/wirewarp-agent (OpenRC)
 */
import { renderLauncher } from './launcher.ts'

export type InstallMode = 'server' | 'client'

/**
 * The systemd unit the script writes; `execPath` (the launcher) and `configPath` may be shell
 * variables (`$LIB/...`), which the script's heredoc expands. KillMode=mixed: TERM goes to the
 * launcher only, which passes it on to the agent once (a second TERM would cut its stop short).
 */
export function systemdUnit(mode: InstallMode, execPath: string, configPath: string): string {
  return [
    '[Unit]',
    `Description=WireWarp agent (${mode})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${execPath} run --config ${configPath}`,
    'Restart=always',
    'RestartSec=5',
    '# Exit code 3: the server refused this agent for good (deleted); do not restart-loop.',
    'RestartPreventExitStatus=3',
    'KillMode=mixed',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n')
}

export function renderInstallScript(mode: InstallMode): string {
  return (
    SCRIPT.replaceAll('@MODE@', mode)
      .replace('@SYSTEMD_UNIT@', systemdUnit(mode, '$LIB/wirewarp-launcher', '$CONFIG'))
      // A function: the launcher's dollars must not be read as replacement patterns.
      .replace('@LAUNCHER@', () => renderLauncher().trimEnd())
  )
}

// The shell text, with three placeholders (@MODE@, @SYSTEMD_UNIT@, @LAUNCHER@); it is sh, not JavaScript: every
// dollar-brace in it is escaped.
const SCRIPT = `#!/bin/sh
# WireWarp agent installer (@MODE@ mode), POSIX sh. The dashboard's command:
#   (curl -fsSL URL/install/@MODE@ || wget -qO- URL/install/@MODE@) | sh -s -- --url URL --token wwr_...
# As root or as a user with sudo/doas (it re-runs itself through them). Options:
#   --url URL        the WireWarp server (required unless --uninstall)
#   --token TOKEN    the one-time registration token (skipped when this host is registered already)
#   --name NAME      the agent's name (passed to wirewarp-agent register --name)
#   --no-service     do not install a service: run the agent in the foreground after installing
#   --uninstall      stop the agent, remove what it set up (teardown) and every file installed here
#                    (add it to the install command: --token is then ignored)
#   --force          with --uninstall: remove the files even when the teardown fails
#
# Layout (the agent's uninstall command removes exactly this; keep both in step):
#   /usr/local/lib/wirewarp/wirewarp-agent        the executable (self-contained), or, on hosts that
#                                                 run the plain bundle with Node, a sh wrapper that
#                                                 execs node on:
#   /usr/local/lib/wirewarp/wirewarp-agent.mjs    the plain bundle (musl/Alpine, other architectures)
#   /usr/local/lib/wirewarp/wirewarp-launcher     what the service runs: starts the agent, and rolls a
#                                                 self-update back when the new version fails
#                                                 (wirewarp-agent(.mjs).previous: the version before)
#   /usr/local/lib/wirewarp/installed             every file and directory this installer created,
#                                                 one path a line, in creation order
#   /usr/local/bin/wirewarp-agent                 symlink to /usr/local/lib/wirewarp/wirewarp-agent
#   /etc/wirewarp/agent.yaml                      the config (0600, holds the agent's credential)
#   /var/lib/wirewarp/                            state: WireGuard key, applied state
#                                                 (foreground.pid while running with --no-service)
#   /etc/systemd/system/wirewarp-agent.service    systemd unit (+ its multi-user.target.wants link), or
#   /etc/init.d/wirewarp-agent                    OpenRC service (+ /etc/runlevels/default link,
#                                                 log in /var/log/wirewarp-agent.log)
# Test hooks, never needed on a real host: WIREWARP_PREFIX installs under a directory (no root, no
# service started), WIREWARP_SKIP_PACKAGES=1 skips the package manager, WIREWARP_DRIVER picks
# the agent's driver at registration, WIREWARP_RELEASE_FILE picks the release file.

main() {
  set -eu
  MODE=@MODE@
  URL=""
  TOKEN=""
  NAME=""
  NO_SERVICE=0
  UNINSTALL=0
  FORCE=0
  CHANGED=0
  PREFIX="\${WIREWARP_PREFIX:-}"
  parse_args "$@"

  LIB="$PREFIX/usr/local/lib/wirewarp"
  BIN="$PREFIX/usr/local/bin"
  ETC="$PREFIX/etc/wirewarp"
  CONFIG="$ETC/agent.yaml"
  STATE="$PREFIX/var/lib/wirewarp"
  LIST="$LIB/installed"
  UNIT_DIR="$PREFIX/etc/systemd/system"
  UNIT="$UNIT_DIR/wirewarp-agent.service"
  OPENRC="$PREFIX/etc/init.d/wirewarp-agent"
  PIDFILE="$STATE/foreground.pid"

  pick_downloader
  become_root "$@"

  TMPD=$(mktemp -d "\${TMPDIR:-/tmp}/wirewarp-install.XXXXXX") || die "cannot make a temporary directory in \${TMPDIR:-/tmp}: check that it exists and is writable"
  trap 'rm -rf "$TMPD"' EXIT
  trap 'exit 130' INT TERM
  : > "$TMPD/created"

  if [ "$UNINSTALL" = 1 ]; then
    uninstall
    return 0
  fi

  # Before anything changes: a host that is not registered yet needs the one-time token.
  [ -n "$TOKEN" ] || registered || die "--token is required to register this host: copy the install command from the dashboard (Agents, Add agent)"
  detect_host
  choose_release
  download_release
  install_packages
  [ "$KIND" = mjs ] && check_node
  install_files
  register
  flush_notes
  start_agent
}

die() {
  echo "wirewarp install: $*" >&2
  exit 1
}
say() { echo "==> $*"; }
warn() { echo "wirewarp install: warning: $*" >&2; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --url) [ $# -ge 2 ] || die "--url needs a value: the address of your WireWarp server"; URL="$2"; shift 2 ;;
      --url=*) URL="\${1#--url=}"; shift ;;
      --token) [ $# -ge 2 ] || die "--token needs a value: copy the install command from the dashboard"; TOKEN="$2"; shift 2 ;;
      --token=*) TOKEN="\${1#--token=}"; shift ;;
      --name) [ $# -ge 2 ] || die "--name needs a value"; NAME="$2"; shift 2 ;;
      --no-service) NO_SERVICE=1; shift ;;
      --uninstall) UNINSTALL=1; shift ;;
      --force) FORCE=1; shift ;;
      -h|--help) sed -n '2,11p' "$0" 2>/dev/null || echo "options: --url URL --token TOKEN [--name NAME] [--no-service] | --uninstall [--force]"; exit 0 ;;
      *) die "unknown option '$1' (expected --url URL --token TOKEN [--name NAME] [--no-service], or --uninstall)" ;;
    esac
  done
  # --uninstall needs no server; the URL, when given, lets a non-root user re-run it through sudo.
  [ "$UNINSTALL" = 1 ] && [ -z "$URL" ] && return 0
  [ -n "$URL" ] || die "--url is required: the address of your WireWarp server (copy the install command from the dashboard)"
  case "$URL" in http://*|https://*) ;; *) die "--url must start with http:// or https://, not '$URL'" ;; esac
  URL="\${URL%/}"
}

# curl or wget, whichever the host has (the install command used one of them).
pick_downloader() {
  if command -v curl >/dev/null 2>&1; then
    DL=curl
  elif command -v wget >/dev/null 2>&1; then
    DL=wget
  else
    DL=""
  fi
}

# download URL FILE
download() {
  case "$DL" in
    curl) curl -fsSL --retry 2 -o "$2" "$1" ;;
    wget) wget -q -O "$2" "$1" ;;
    *) die "neither curl nor wget is installed: install one of them (e.g. apt-get install curl) and run this again" ;;
  esac
}

# Not root: save this script again (it came from a pipe) and re-run it through sudo or doas.
become_root() {
  [ -n "$PREFIX" ] && return 0
  [ "$(id -u)" = 0 ] && return 0
  if command -v sudo >/dev/null 2>&1; then
    via=sudo
  elif command -v doas >/dev/null 2>&1; then
    via=doas
  else
    die "this needs root, and neither sudo nor doas is installed: run the same command as root (e.g. after 'su -'), or install sudo"
  fi
  [ -n "$URL" ] || die "--uninstall needs root: add it to the install command (which has --url), or run it as root"
  self=$(mktemp "\${TMPDIR:-/tmp}/wirewarp-install.XXXXXX") || die "cannot make a temporary file in \${TMPDIR:-/tmp}"
  download "$URL/install/$MODE" "$self" || {
    rm -f "$self"
    die "cannot download $URL/install/$MODE again to re-run it as root: run the command as root instead"
  }
  say "not running as root: re-running with $via"
  rc=0
  "$via" sh "$self" "$@" || rc=$?
  rm -f "$self"
  exit "$rc"
}

os_field() {
  # In a subshell: os-release sets NAME, ID and others that must not leak into this script.
  (
    [ -r /etc/os-release ] || exit 0
    . /etc/os-release
    eval "printf '%s' \\"\\\${$1:-}\\""
  )
}

detect_host() {
  OS_ID=$(os_field ID)
  OS_LIKE=$(os_field ID_LIKE)
  OS_NAME=$(os_field PRETTY_NAME)
  [ -n "$OS_ID" ] || OS_ID=unknown
  PKG=""
  for id in $OS_ID $OS_LIKE; do
    case "$id" in
      debian|ubuntu|raspbian) PKG=apt; break ;;
      alpine) PKG=apk; break ;;
      fedora|rhel|centos|rocky|almalinux|ol) PKG=dnf; break ;;
    esac
  done
  case "$(uname -m)" in
    x86_64|amd64) ARCH=x64 ;;
    aarch64|arm64) ARCH=arm64 ;;
    *) ARCH=other ;;
  esac
  LIBC=glibc
  for f in /lib/ld-musl-*.so.1; do
    [ -e "$f" ] && LIBC=musl
  done
  # The self-contained agent needs glibc 2.28 or newer, as Node itself.
  if [ "$LIBC" = glibc ]; then
    v=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc \\([0-9]*\\)\\.\\([0-9]*\\).*/\\1 \\2/p')
    if [ -n "$v" ]; then
      set -- $v
      if [ "$1" -lt 2 ] || { [ "$1" -eq 2 ] && [ "$2" -lt 28 ]; }; then LIBC=old-glibc; fi
    fi
  fi
  say "this host: \${OS_NAME:-$OS_ID}, $(uname -m) ($ARCH), $LIBC, package manager \${PKG:-unknown}"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 "$1" | sed 's/^.*= *//'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "cannot check the download's SHA-256: install coreutils (sha256sum) or openssl and run this again"
  fi
}

# Picks the release file for this host from the server's SHA256SUMS: the self-contained
# executable where it runs (glibc x64/arm64), else the plain bundle with the host's Node.
choose_release() {
  download "$URL/releases/SHA256SUMS" "$TMPD/SHA256SUMS" ||
    die "cannot download $URL/releases/SHA256SUMS: check that this host reaches the server (curl $URL/api/health) and that --url is the address from the dashboard"
  FILE=""
  if [ -n "\${WIREWARP_RELEASE_FILE:-}" ]; then
    FILE="$WIREWARP_RELEASE_FILE"
  elif [ "$LIBC" = glibc ] && [ "$ARCH" != other ] && listed "wirewarp-agent-linux-$ARCH"; then
    FILE="wirewarp-agent-linux-$ARCH"
  elif listed wirewarp-agent.mjs; then
    FILE=wirewarp-agent.mjs
  fi
  [ -n "$FILE" ] && listed "$FILE" ||
    die "the server at $URL offers no agent for this host ($ARCH, $LIBC): its operator should run 'npm run build:release' (or put a release into WIREWARP_RELEASES_DIR) and restart it"
  EXPECTED=$(sums_hash "$FILE")
  case "$FILE" in
    *.mjs) KIND=mjs ;;
    *) KIND=exe ;;
  esac
  [ "$KIND" = mjs ] && say "no self-contained agent for this host ($ARCH, $LIBC) on the server: using the plain bundle with Node.js 20+"
  return 0
}

listed() { [ -n "$(sums_hash "$1")" ]; }

sums_hash() {
  while read -r hash name; do
    [ "\${name#\\*}" = "$1" ] && { echo "$hash"; return 0; }
  done < "$TMPD/SHA256SUMS"
  return 0
}

download_release() {
  say "downloading $FILE from $URL"
  download "$URL/releases/$FILE" "$TMPD/$FILE" ||
    die "cannot download $URL/releases/$FILE: check that this host reaches the server, then run this again"
  actual=$(sha256_of "$TMPD/$FILE")
  if [ "$actual" != "$EXPECTED" ]; then
    rm -f "$TMPD/$FILE"
    die "refusing $FILE: its SHA-256 is $actual, but the server's SHA256SUMS says $EXPECTED. Nothing was installed. The download was altered or the release directory is inconsistent: ask the server's operator to rebuild or re-copy the release, then run this again"
  fi
  say "SHA-256 checked: $actual"
}

has_kernel_wireguard() {
  [ -d /sys/module/wireguard ] && return 0
  command -v modprobe >/dev/null 2>&1 && modprobe wireguard 2>/dev/null && return 0
  return 1
}

node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return 0; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

install_packages() {
  want_wg=""
  has_kernel_wireguard || want_wg=wireguard-go
  want_node=""
  if [ "$KIND" = mjs ] && [ "$(node_major)" -lt 20 ]; then want_node=nodejs; fi
  if [ "\${WIREWARP_SKIP_PACKAGES:-0}" = 1 ]; then return 0; fi
  # Nothing missing: no package manager run (a re-run changes nothing, and needs no mirror).
  # (\`ip -j\`: iproute2's ip, not busybox's, which the agent cannot use.)
  if command -v wg >/dev/null 2>&1 && command -v nft >/dev/null 2>&1 && ip -j link show lo >/dev/null 2>&1 &&
    { [ -z "$want_wg" ] || command -v wireguard-go >/dev/null 2>&1; } && [ -z "$want_node" ]; then
    say "WireGuard tools, nftables and iproute2 are installed already"
    return 0
  fi
  [ -n "$want_wg" ] && say "no WireGuard kernel module here: installing wireguard-go (userspace WireGuard) too"
  say "installing WireGuard tools, nftables and iproute2 with \${PKG:-?} $want_wg $want_node"
  log="$TMPD/packages.log"
  case "$PKG" in
    apt)
      export DEBIAN_FRONTEND=noninteractive
      quiet "$log" apt-get update || { sleep 3; quiet "$log" apt-get update; } ||
        die "apt-get update failed (above): check the host's apt sources and network, then run this again"
      # shellcheck disable=SC2086
      quiet "$log" apt-get install -y --no-install-recommends wireguard-tools nftables iproute2 $want_wg $want_node ||
        die "apt-get install failed (above): fix apt (apt-get -f install) and run this again" ;;
    apk)
      # shellcheck disable=SC2086
      quiet "$log" apk add --no-cache wireguard-tools nftables iproute2 $want_wg $want_node ||
        die "apk add failed (above): check /etc/apk/repositories (the community repository has wireguard-go) and run this again" ;;
    dnf)
      # shellcheck disable=SC2086
      quiet "$log" dnf install -y wireguard-tools nftables iproute $want_wg $want_node ||
        die "dnf install failed (above): install wireguard-tools, nftables and iproute yourself (and wireguard-go if the kernel has no WireGuard), then run this again" ;;
    *)
      die "unknown distribution '$OS_ID': install wireguard-tools, nftables and iproute2 (and wireguard-go without a WireGuard kernel module, Node.js 20+ for the plain bundle) yourself, then run this again" ;;
  esac
}

# quiet LOG COMMAND...: runs it with its output in LOG, shown only when it fails.
quiet() {
  log=$1
  shift
  if "$@" > "$log" 2>&1; then return 0; fi
  tail -n 20 "$log" >&2
  return 1
}

check_node() {
  major=$(node_major)
  [ "$major" -ge 20 ] && return 0
  if [ "$major" = 0 ]; then
    die "this host needs Node.js 20 or newer for the agent (no self-contained agent for $ARCH/$LIBC), and none was found: install Node.js 20+ (https://nodejs.org/en/download, or your distribution's nodejs package) and run this again"
  fi
  die "this host's Node.js is $(node --version), the agent needs 20 or newer (there is no self-contained agent for $ARCH/$LIBC on the server): install Node.js 20+ (https://nodejs.org/en/download), or ask the server's operator to run 'npm run build:release' so glibc x64/arm64 hosts need no Node, then run this again"
}

# Remembers a path this install created, for --uninstall and the agent's uninstall command.
note() { echo "$1" >> "$TMPD/created"; }

flush_notes() {
  [ -d "$LIB" ] || return 0
  if [ ! -e "$LIST" ]; then
    note "$LIST"
    : > "$LIST"
  fi
  while read -r p; do
    grep -qxF "$p" "$LIST" || echo "$p" >> "$LIST"
  done < "$TMPD/created"
  : > "$TMPD/created"
}

# mkdir -p that notes each directory it creates.
make_dir() {
  [ -d "$1" ] && return 0
  make_dir "$(dirname "$1")"
  mkdir "$1" || die "cannot create $1"
  note "$1"
}

# put SOURCE TARGET MODE: replaces TARGET atomically (rename), noting it when new; an identical
# TARGET stays as it is.
put() {
  if [ -f "$2" ] && [ ! -L "$2" ] && cmp -s "$1" "$2" 2>/dev/null; then
    chmod "$3" "$2"
    return 0
  fi
  [ -e "$2" ] || [ -L "$2" ] || note "$2"
  cp "$1" "$2.new" && chmod "$3" "$2.new" && mv -f "$2.new" "$2" || die "cannot write $2: check the disk space and permissions"
  CHANGED=1
}

install_files() {
  say "installing the agent into $LIB"
  make_dir "$LIB"
  make_dir "$BIN"
  make_dir "$ETC"
  chmod 0755 "$LIB"
  if [ ! -d "$STATE" ]; then
    make_dir "$STATE"
    chmod 0700 "$STATE"
  fi
  flush_notes
  if [ "$KIND" = exe ]; then
    put "$TMPD/$FILE" "$LIB/wirewarp-agent" 0755
    rm -f "$LIB/wirewarp-agent.mjs"
  else
    put "$TMPD/$FILE" "$LIB/wirewarp-agent.mjs" 0644
    node=$(command -v node)
    printf '#!/bin/sh\\nexec "%s" "%s" "$@"\\n' "$node" "$LIB/wirewarp-agent.mjs" > "$TMPD/wrapper"
    put "$TMPD/wrapper" "$LIB/wirewarp-agent" 0755
  fi
  cat > "$TMPD/launcher" <<'LAUNCHER'
@LAUNCHER@
LAUNCHER
  put "$TMPD/launcher" "$LIB/wirewarp-launcher" 0755
  # The agent 0.1.0 installer's files: a bundle and a wrapper in place of the symlink.
  rm -f "$LIB/wirewarp-agent.js" "$LIB/.wirewarp-agent.js.download"
  if [ ! -L "$BIN/wirewarp-agent" ]; then
    [ -e "$BIN/wirewarp-agent" ] || note "$BIN/wirewarp-agent"
    ln -sf "$LIB/wirewarp-agent" "$BIN/wirewarp-agent" || die "cannot create the symlink $BIN/wirewarp-agent"
  fi
  flush_notes
  "$LIB/wirewarp-agent" --version >/dev/null 2>&1 ||
    die "the installed agent does not start ($LIB/wirewarp-agent --version fails; run it to see why): this host may lack libstdc++ or a glibc 2.28+; install them and run this again"
  say "installed wirewarp-agent $("$LIB/wirewarp-agent" --version)"
}

registered() { [ -f "$CONFIG" ] && grep -q '^agentId:' "$CONFIG"; }

register() {
  if registered; then
    say "already registered ($CONFIG has an agent id): registration skipped, files updated in place"
    return 0
  fi
  [ -n "$TOKEN" ] || die "--token is required to register this host: copy the install command from the dashboard (Agents, Add agent)"
  [ -e "$CONFIG" ] || note "$CONFIG"
  flush_notes
  say "registering this host as a $MODE agent"
  set -- register --url "$URL" --token "$TOKEN" --mode "$MODE" --config "$CONFIG" --state-dir "$STATE"
  [ -n "$NAME" ] && set -- "$@" --name "$NAME"
  [ -n "\${WIREWARP_DRIVER:-}" ] && set -- "$@" --driver "$WIREWARP_DRIVER"
  "$LIB/wirewarp-agent" "$@" ||
    die "registration failed (the agent's message is above). A used or expired token needs a new install command from the dashboard; then run this again. The files stay installed; --uninstall removes them"
}

has_systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }
has_openrc() { command -v openrc-run >/dev/null 2>&1 && command -v rc-service >/dev/null 2>&1; }

start_agent() {
  if [ "$NO_SERVICE" = 1 ]; then
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      if [ "$CHANGED" = 1 ]; then
        say "files updated; the agent running in the foreground (pid $(cat "$PIDFILE")) still runs the old ones: stop it and run this again"
      else
        say "nothing changed: the agent runs in the foreground already (pid $(cat "$PIDFILE"))"
      fi
      return 0
    fi
    say "done: starting the $MODE agent in the foreground (--no-service); Ctrl-C stops it"
    echo $$ > "$PIDFILE"
    rm -rf "$TMPD"
    trap - EXIT INT TERM
    exec "$LIB/wirewarp-launcher" run --config "$CONFIG"
  fi
  if [ -n "$PREFIX" ] || has_systemd; then
    install_systemd
  elif has_openrc; then
    install_openrc
  else
    say "done, but no systemd or OpenRC here to start it: run '$LIB/wirewarp-launcher run --config $CONFIG' under your init system, or run this again with --no-service"
    return 0
  fi
  say "done: this host is a WireWarp $MODE agent"
}

install_systemd() {
  make_dir "$UNIT_DIR"
  cat > "$TMPD/unit" <<UNIT
@SYSTEMD_UNIT@
UNIT
  put "$TMPD/unit" "$UNIT" 0644
  flush_notes
  if [ -n "$PREFIX" ]; then
    say "service file written to $UNIT (not started: WIREWARP_PREFIX)"
    return 0
  fi
  note "$UNIT_DIR/multi-user.target.wants/wirewarp-agent.service"
  flush_notes
  systemctl daemon-reload
  systemctl enable wirewarp-agent >/dev/null 2>&1 || die "systemctl enable wirewarp-agent failed: see systemctl status wirewarp-agent"
  systemctl restart wirewarp-agent ||
    die "the service did not start: see 'journalctl -u wirewarp-agent', fix it and run this again"
  say "started: systemctl status wirewarp-agent, logs: journalctl -u wirewarp-agent"
}

install_openrc() {
  make_dir "$PREFIX/etc/init.d"
  cat > "$TMPD/openrc" <<RC
#!/sbin/openrc-run
description="WireWarp agent ($MODE)"
command="$LIB/wirewarp-launcher"
command_args="run --config $CONFIG"
supervisor=supervise-daemon
respawn_delay=5
output_log=/var/log/wirewarp-agent.log
error_log=/var/log/wirewarp-agent.log

depend() {
  need net
  after firewall
}
RC
  put "$TMPD/openrc" "$OPENRC" 0755
  note /var/log/wirewarp-agent.log
  note /etc/runlevels/default/wirewarp-agent
  flush_notes
  rc-update add wirewarp-agent default >/dev/null || die "rc-update add wirewarp-agent default failed (above)"
  rc-service wirewarp-agent restart || die "the service did not start: see /var/log/wirewarp-agent.log, fix it and run this again"
  say "started: rc-service wirewarp-agent status, logs: /var/log/wirewarp-agent.log"
}

stop_agent() {
  if [ -z "$PREFIX" ] && has_systemd && [ -e "$UNIT" ]; then
    say "stopping the wirewarp-agent service"
    systemctl disable --now wirewarp-agent >/dev/null 2>&1 || true
  fi
  if [ -z "$PREFIX" ] && has_openrc && [ -e "$OPENRC" ]; then
    say "stopping the wirewarp-agent service"
    rc-service wirewarp-agent stop >/dev/null 2>&1 || true
    rc-update del wirewarp-agent default >/dev/null 2>&1 || true
  fi
  if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping the agent running in the foreground (pid $pid)"
      kill "$pid" 2>/dev/null || true
      i=0
      while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -le 150 ] || die "the agent (pid $pid) did not stop within 15 s: stop it (kill -9 $pid) and run --uninstall again"
        sleep 0.1 2>/dev/null || sleep 1
      done
    fi
  fi
}

uninstall() {
  say "uninstalling the WireWarp agent"
  stop_agent
  if [ -x "$LIB/wirewarp-agent" ] && [ -f "$CONFIG" ]; then
    say "removing what the agent set up (nftables table, routes, WireGuard interface)"
    if ! "$LIB/wirewarp-agent" teardown --config "$CONFIG"; then
      [ "$FORCE" = 1 ] || die "the agent's teardown failed (above): fix that and run --uninstall again, or add --force to remove the files anyway (then delete the nftables table inet wirewarp and the WireGuard interface yourself)"
      warn "teardown failed; removing the files anyway (--force)"
    fi
  fi
  # Newest first, so that files go before the directories that hold them.
  if [ -f "$LIST" ]; then
    sed -n '1!G;h;$p' "$LIST" > "$TMPD/list"
    while read -r p; do
      [ -n "$p" ] || continue
      case "$p" in
        "$ETC"|"$STATE") rm -rf "$p" ;;
        *) if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir "$p" 2>/dev/null || warn "left $p: it holds files this installer did not create"; else rm -f "$p"; fi ;;
      esac
    done < "$TMPD/list"
  fi
  # The layout itself, also when the list is missing (an agent installed by an older installer).
  rm -f "$UNIT" "$UNIT_DIR/multi-user.target.wants/wirewarp-agent.service" "$OPENRC"
  [ -L "$BIN/wirewarp-agent" ] || grep -q wirewarp "$BIN/wirewarp-agent" 2>/dev/null && rm -f "$BIN/wirewarp-agent"
  rm -rf "$LIB" "$ETC" "$STATE"
  if [ -z "$PREFIX" ] && has_systemd; then systemctl daemon-reload || true; fi
  say "done: the WireWarp agent is removed (WireGuard tools and nftables stay installed). Delete the agent in the dashboard too"
}

main "$@"
`
