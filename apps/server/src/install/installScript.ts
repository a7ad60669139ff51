/**
 * The agent installer served at /install/server and /install/client, for
 * `curl -fsSL URL/install/MODE | sudo sh -s -- --url URL --token TOKEN`. POSIX sh, no bashisms:
 * it runs on Debian, Ubuntu, Alpine and Fedora-likes. Test hooks (WIREWARP_PREFIX,
 * WIREWARP_SKIP_PACKAGES, WIREWARP_DRIVER) let the test suite install into a directory.
 */
export function renderInstallScript(mode: 'server' | 'client'): string {
  return `#!/bin/sh
# WireWarp agent installer (${mode} mode).
#   curl -fsSL https://YOUR-SERVER/install/${mode} | sudo sh -s -- --url https://YOUR-SERVER --token wwr_...
# Installs WireGuard tools, nftables and the agent, registers it with the one-time token and
# starts it as the systemd service wirewarp-agent.
set -eu

MODE=${mode}
URL=""
TOKEN=""
PREFIX="\${WIREWARP_PREFIX:-}"
DRIVER="\${WIREWARP_DRIVER:-linux}"

die() { echo "wirewarp install: $*" >&2; exit 1; }
say() { echo "==> $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --url) [ $# -ge 2 ] || die "--url needs a value"; URL="$2"; shift 2 ;;
    --token) [ $# -ge 2 ] || die "--token needs a value"; TOKEN="$2"; shift 2 ;;
    *) die "unknown option $1 (expected --url URL --token TOKEN)" ;;
  esac
done
[ -n "$URL" ] || die "--url is required: the address of your WireWarp server"
[ -n "$TOKEN" ] || die "--token is required: copy the install command from the dashboard"
case "$URL" in http://*|https://*) ;; *) die "--url must start with http:// or https://" ;; esac
URL="\${URL%/}"

LIB="$PREFIX/usr/local/lib/wirewarp"
BIN="$PREFIX/usr/local/bin"
ETC="$PREFIX/etc/wirewarp"
STATE="$PREFIX/var/lib/wirewarp"
UNITS="$PREFIX/etc/systemd/system"

if [ -z "$PREFIX" ] && [ "$(id -u)" != "0" ]; then
  die "run as root: ... | sudo sh -s -- --url URL --token TOKEN"
fi

install_packages() {
  [ "\${WIREWARP_SKIP_PACKAGES:-0}" = "1" ] && return 0
  ID=unknown
  [ -r /etc/os-release ] && . /etc/os-release
  say "installing WireGuard tools, nftables and iproute2 ($ID)"
  case "$ID" in
    debian|ubuntu|raspbian|linuxmint|pop)
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq wireguard-tools nftables iproute2 curl ca-certificates >/dev/null
      command -v node >/dev/null 2>&1 || apt-get install -y -qq nodejs >/dev/null || true ;;
    alpine)
      apk add --no-cache wireguard-tools nftables iproute2 curl ca-certificates nodejs >/dev/null ;;
    fedora|rhel|centos|rocky|almalinux)
      dnf install -y -q wireguard-tools nftables iproute curl nodejs >/dev/null ;;
    *)
      say "unknown distribution '$ID': install wireguard-tools, nftables, iproute2 and Node.js 20+ yourself" ;;
  esac
}

check_node() {
  command -v node >/dev/null 2>&1 || die "Node.js 20 or newer is needed and was not found; install it (https://nodejs.org) and run this again"
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js 20 or newer is needed, this host has $(node --version); install a newer one (https://nodejs.org) and run this again"
}

download_agent() {
  say "downloading the agent from $URL"
  mkdir -p "$LIB" "$BIN"
  tmp="$LIB/.wirewarp-agent.js.download"
  curl -fsSL "$URL/releases/wirewarp-agent.js" -o "$tmp" || die "could not download $URL/releases/wirewarp-agent.js"
  expected=$(curl -fsSL "$URL/releases/wirewarp-agent.js.sha256" | cut -d' ' -f1) || die "could not download the checksum"
  actual=$(sha256sum "$tmp" | cut -d' ' -f1)
  if [ "$expected" != "$actual" ]; then
    rm -f "$tmp"
    die "checksum mismatch for the downloaded agent (expected $expected, got $actual); nothing was installed"
  fi
  mv "$tmp" "$LIB/wirewarp-agent.js"
  cat > "$BIN/wirewarp-agent" <<WRAPPER
#!/bin/sh
exec node "$LIB/wirewarp-agent.js" "\\$@"
WRAPPER
  chmod 0755 "$BIN/wirewarp-agent"
}

register_agent() {
  say "registering this host as a $MODE agent"
  "$BIN/wirewarp-agent" register --url "$URL" --token "$TOKEN" --mode "$MODE" \\
    --config "$ETC/agent.yaml" --state-dir "$STATE" --driver "$DRIVER"
}

install_service() {
  mkdir -p "$UNITS"
  cat > "$UNITS/wirewarp-agent.service" <<UNIT
[Unit]
Description=WireWarp agent ($MODE)
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=$BIN/wirewarp-agent run --config $ETC/agent.yaml
Restart=always
RestartSec=5
# Exit code 3: the server refused this agent for good (deleted); do not restart-loop.
RestartPreventExitStatus=3

[Install]
WantedBy=multi-user.target
UNIT
  if [ -z "$PREFIX" ] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload
    systemctl enable --now wirewarp-agent >/dev/null
    say "started: systemctl status wirewarp-agent"
  else
    say "service file written to $UNITS/wirewarp-agent.service (not started)"
  fi
}

install_packages
check_node
download_agent
register_agent
install_service
say "done: this host is a WireWarp $MODE agent"
`
}
