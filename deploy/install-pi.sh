#!/usr/bin/env bash
# Install (or upgrade) watcher as a systemd service on Raspberry Pi OS 64-bit (Bookworm) or Debian.
#
#   sudo deploy/install-pi.sh                  # from a clone of the repository
#   sudo deploy/install-pi.sh --source ./watcher-0.1.0-py3-none-any.whl
#   deploy/install-pi.sh --dry-run             # print every step, change nothing
#
# Idempotent: run it again to upgrade. An existing /etc/watcher/config.toml and env are kept.
# Layout: `watcher` system user, venv in /opt/watcher, config in /etc/watcher, data in /var/lib/watcher,
# unit deploy/systemd/watcher.service. The WATCHER_* variables below exist so the steps can be tried
# against a scratch folder (tests/deploy); the unit file itself names the default paths.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"

WATCHER_USER="${WATCHER_USER:-watcher}"
WATCHER_VENV="${WATCHER_VENV:-/opt/watcher}"
WATCHER_ETC="${WATCHER_ETC:-/etc/watcher}"
WATCHER_DATA="${WATCHER_DATA:-/var/lib/watcher}"
SYSTEMD_DIR="${SYSTEMD_DIR:-/etc/systemd/system}"
# The tested versions of every dependency (constraints.txt, also used by CI and the Docker image).
CONSTRAINTS="$REPO/constraints.txt"
APT_PACKAGES=(python3 python3-venv python3-pip libgl1 libglib2.0-0)

DRY_RUN=0
START=1
SOURCE="$REPO"
PRINT_CONFIG=0

usage() {
    cat <<EOF
usage: $0 [--dry-run] [--source PATH|SPEC] [--constraints FILE|none] [--with-mosquitto] [--no-start]
          [--print-config]

  --dry-run          print the steps that would run; change nothing
  --source SPEC      what pip installs: a checkout (default: $REPO), a wheel, or "watcher==X"
  --constraints FILE the versions pip installs (default: $CONSTRAINTS, the tested ones);
                     "none" for the newest within pyproject.toml's ranges
  --with-mosquitto   also install a local mosquitto broker (apt)
  --no-start         install and enable the service, but do not (re)start it now
  --print-config     print the config this script installs on a first run, and exit
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --source) SOURCE="${2:?--source needs a value}"; shift ;;
        --constraints) CONSTRAINTS="${2:?--constraints needs a value}"; shift ;;
        --with-mosquitto) APT_PACKAGES+=(mosquitto mosquitto-clients) ;;
        --no-start) START=0 ;;
        --print-config) PRINT_CONFIG=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install-pi.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# run CMD...: run a step, or print it in --dry-run mode; every step is echoed so the log reads as a recipe.
run() {
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    if [[ $DRY_RUN -eq 0 ]]; then
        "$@"
    fi
}

note() {
    printf '= %s\n' "$*"
}

# data_config EXAMPLE: the example config with the [store] files moved to $WATCHER_DATA, because
# the unit makes /etc read-only (ProtectSystem=strict) and relative paths resolve against /etc/watcher.
data_config() {
    awk -v data="$WATCHER_DATA" '
        /^\[/ { in_store = ($0 ~ /^\[store\]/); if (in_store) seen = 1 }
        in_store && /^(path|snapshots_dir)[ \t]*=[ \t]*"[^\/"]/ { sub(/"/, "\"" data "/") }
        { print }
        END {
            if (!seen) printf "\n[store]\npath = \"%s/watcher.db\"\nsnapshots_dir = \"%s/snapshots\"\n", data, data
        }
    ' "$1"
}

example_config() {
    if [[ -x "$WATCHER_VENV/bin/python" ]]; then
        "$WATCHER_VENV/bin/python" -c 'from watcher.resources import example_config; print(example_config())'
    else
        echo "$REPO/config.example.toml"
    fi
}

if [[ $PRINT_CONFIG -eq 1 ]]; then
    data_config "$(example_config)"
    exit 0
fi

PIN=()
if [[ $CONSTRAINTS != none ]]; then
    if [[ ! -r $CONSTRAINTS ]]; then
        echo "install-pi.sh: --constraints $CONSTRAINTS: cannot read it (\"none\" installs unpinned)" >&2
        exit 2
    fi
    PIN=(-c "$CONSTRAINTS")
fi

if [[ $DRY_RUN -eq 0 && $EUID -ne 0 ]]; then
    echo "install-pi.sh: run as root (sudo $0), or with --dry-run to see the steps" >&2
    exit 1
fi

case "$(uname -m)" in
    aarch64 | x86_64) ;;
    *) note "warning: $(uname -m) is not 64-bit; onnxruntime has no wheels for 32-bit Raspberry Pi OS" ;;
esac

# 1. System packages: only when one is missing, so a re-run does not need the network.
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    run apt-get update
    run apt-get install -y --no-install-recommends "${missing[@]}"
else
    note "apt packages present: ${APT_PACKAGES[*]}"
fi

if [[ $DRY_RUN -eq 0 ]] && ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "install-pi.sh: watcher needs Python 3.11+ (Raspberry Pi OS Bookworm); use deploy/docker otherwise" >&2
    exit 1
fi

# 2. The service user: no login, no home of its own; `video` for USB cameras.
if id -u "$WATCHER_USER" >/dev/null 2>&1; then
    note "user $WATCHER_USER exists"
else
    run useradd --system --user-group --home-dir "$WATCHER_DATA" --no-create-home \
        --shell /usr/sbin/nologin "$WATCHER_USER"
fi
run usermod --append --groups video "$WATCHER_USER"

# 3. The venv: created once, the package upgraded in place on every run.
if [[ -x "$WATCHER_VENV/bin/python" ]]; then
    note "venv $WATCHER_VENV exists"
else
    run python3 -m venv "$WATCHER_VENV"
fi
run "$WATCHER_VENV/bin/pip" install --upgrade --quiet pip
run "$WATCHER_VENV/bin/pip" install --upgrade --quiet "${PIN[@]}" "$SOURCE"

# 4. Folders: config readable by the service, data private to it.
run install -d -m 0750 -o root -g "$WATCHER_USER" "$WATCHER_ETC"
run install -d -m 0700 -o "$WATCHER_USER" -g "$WATCHER_USER" "$WATCHER_DATA"

# 5. Config and secrets: written once, never overwritten.
if [[ -e "$WATCHER_ETC/config.toml" ]]; then
    note "keeping $WATCHER_ETC/config.toml"
else
    note "writing $WATCHER_ETC/config.toml from the example (data in $WATCHER_DATA)"
    if [[ $DRY_RUN -eq 0 ]]; then
        data_config "$(example_config)" >"$WATCHER_ETC/config.toml"
    fi
    run chown "root:$WATCHER_USER" "$WATCHER_ETC/config.toml"
    run chmod 0640 "$WATCHER_ETC/config.toml"
fi
if [[ -e "$WATCHER_ETC/env" ]]; then
    note "keeping $WATCHER_ETC/env"
else
    note "writing $WATCHER_ETC/env (secrets such as MQTT_PASSWORD=..., read by systemd only)"
    if [[ $DRY_RUN -eq 0 ]]; then
        # shellcheck disable=SC2016  # "${KEY}" is literal text telling the user how to refer to a secret
        printf '# KEY=value lines, used in config.toml as "${KEY}"\n# MQTT_PASSWORD=\n' >"$WATCHER_ETC/env"
    fi
    run chmod 0600 "$WATCHER_ETC/env"
fi

# 6. Validate as the service user before (re)starting, so a bad config never replaces a running one.
run runuser -u "$WATCHER_USER" -- "$WATCHER_VENV/bin/watcher" check-config -c "$WATCHER_ETC/config.toml"

# 7. The unit.
run install -m 0644 "$HERE/systemd/watcher.service" "$SYSTEMD_DIR/watcher.service"
run systemctl daemon-reload
run systemctl enable watcher.service
if [[ $START -eq 1 ]]; then
    run systemctl restart watcher.service
fi

note "done: edit $WATCHER_ETC/config.toml, then: sudo systemctl restart watcher; journalctl -u watcher -f"
