#!/bin/bash
# EC2 user data for one tradeactor VM (Amazon Linux 2023 or Debian/Ubuntu; x86_64 or Graviton/aarch64).
# It runs once, as root, at first boot: installs Deno (from the npm registry, as CI does) or a compiled binary,
# creates the system user `tradeactor`, checks out the code in /opt/tradeactor, writes /etc/tradeactor/{env,live.json},
# installs deploy/tradeactor.service and starts it. Safe to run again (each step skips what is already there).
#
# Set these before launching (edit here, or prepend `export NAME=value` lines in the launch template):
#   REPO_URL     where the code is cloned from (required: your fork or mirror)
#   REPO_REF     branch or tag (default main)
#   BINARY_URL   optional: a `deno compile`d binary for this architecture (deploy/README.md, "Single binary");
#                then the unit runs it instead of `deno task live` and no Node/Deno is installed
# The first start is paper trading on Binance's public market data (deploy/ec2/live.json, 10 strategies). The control
# endpoint binds 127.0.0.1:8787; reach it with `ssh -L 8787:127.0.0.1:8787 …`. Log: /var/log/tradeactor-user-data.log.
set -euo pipefail

REPO_URL="${REPO_URL:-}"
REPO_REF="${REPO_REF:-main}"
BINARY_URL="${BINARY_URL:-}"
DENO_VERSION="2.9.6"
APP=/opt/tradeactor
CONF=/etc/tradeactor
UNIT=/etc/systemd/system/tradeactor.service

exec > >(tee -a /var/log/tradeactor-user-data.log) 2>&1
echo "tradeactor user data: start $(date -u +%FT%TZ)"

if [ -z "$REPO_URL" ]; then
  echo "REPO_URL is not set: edit the top of this script (or the launch template) and launch again" >&2
  exit 1
fi

install_packages() {
  local packages=(git ca-certificates openssl)
  [ -n "$BINARY_URL" ] || packages+=(nodejs npm)
  [ -z "$BINARY_URL" ] || packages+=(curl)
  if command -v dnf >/dev/null; then
    dnf install -y "${packages[@]}"
  elif command -v apt-get >/dev/null; then
    apt-get update -y
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"
  else
    echo "no dnf or apt-get: install ${packages[*]} yourself" >&2
    exit 1
  fi
}

install_packages

# The daemon's user: no shell, no home of its own beyond the install (the unit's ProtectHome hides /home anyway).
if ! id tradeactor >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$APP" --no-create-home --shell /usr/sbin/nologin tradeactor
fi

if [ ! -d "$APP/.git" ]; then
  git clone --depth 1 --branch "$REPO_REF" "$REPO_URL" "$APP"
fi
cd "$APP"

# The code stays root's; only the data directory and Deno's cache are the daemon's (ReadWritePaths in the unit).
install -d -m 0750 -o tradeactor -g tradeactor "$APP/data" "$APP/.deno-cache"

if [ -n "$BINARY_URL" ]; then
  curl --fail --silent --show-error --location --output "$APP/tradeactor.new" "$BINARY_URL"
  install -m 0755 "$APP/tradeactor.new" "$APP/tradeactor" && rm -f "$APP/tradeactor.new"
else
  npm install --prefix .tools --no-audit --no-fund "deno@$DENO_VERSION"
  # Every module the daemon loads, cached now: the service starts without fetching anything.
  # shellcheck disable=SC2046
  DENO_DIR="$APP/.deno-cache" DENO_NO_UPDATE_CHECK=1 \
    .tools/node_modules/.bin/deno cache main.ts $(find actors strategies -name '*.ts')
  chown -R tradeactor:tradeactor "$APP/.deno-cache"
fi

# Secrets: root-only, read by systemd (EnvironmentFile). A control token is generated once.
install -d -m 0750 -o root -g tradeactor "$CONF"
if [ ! -f "$CONF/env" ]; then
  (
    umask 077
    {
      echo "# tradeactor secrets (mode 0600). Venue keys: \`deno task live keys add binance --config $CONF/live.json\`"
      echo "# and TRADEACTOR_KEYS_PASSPHRASE_FILE naming a 0600 file owned by tradeactor; or BINANCE_API_KEY/SECRET."
      echo "TRADEACTOR_CONTROL_TOKEN=$(openssl rand -hex 32)"
    } >"$CONF/env"
  )
  chmod 0600 "$CONF/env"
fi
if [ ! -f "$CONF/live.json" ]; then
  install -m 0640 -o root -g tradeactor deploy/ec2/live.json "$CONF/live.json"
fi

install -m 0644 deploy/tradeactor.service "$UNIT"
if [ -n "$BINARY_URL" ]; then
  install -d -m 0755 "$UNIT.d"
  cat >"$UNIT.d/binary.conf" <<EOF
[Service]
ExecStart=
ExecStart=$APP/tradeactor live --config $CONF/live.json
EOF
fi

systemctl daemon-reload
systemctl enable --now tradeactor
echo "tradeactor user data: done $(date -u +%FT%TZ); status: systemctl status tradeactor"
