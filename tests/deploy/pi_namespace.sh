#!/usr/bin/env bash
# Runs deploy/install-pi.sh for real, twice, then the installed service command, inside a private
# mount namespace where /etc, /opt and /var/lib are overlays on a tmpfs: everything vanishes after.
# usage (as root): unshare --mount --propagation private bash pi_namespace.sh WHEEL SCRATCH
set -euo pipefail
WHEEL="$1"
SCRATCH="$2"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

mount -t tmpfs none "$SCRATCH"
for dir in /etc /opt /var/lib; do
    name="${dir//\//_}"
    mkdir -p "$SCRATCH/$name/upper" "$SCRATCH/$name/work"
    mount -t overlay overlay -o "lowerdir=$dir,upperdir=$SCRATCH/$name/upper,workdir=$SCRATCH/$name/work" "$dir"
done
# No systemd in a namespace: a stand-in records the calls. Debian's python3, as on a Pi.
mkdir -p "$SCRATCH/bin"
printf '#!/bin/sh\necho "systemctl called: $*"\n' >"$SCRATCH/bin/systemctl"
chmod +x "$SCRATCH/bin/systemctl"
export PATH="$SCRATCH/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"

echo "### first run"
bash "$REPO/deploy/install-pi.sh" --source "$WHEEL"
echo "### second run"
bash "$REPO/deploy/install-pi.sh" --source "$WHEEL"
echo "### service"
cd /var/lib/watcher
runuser -u watcher -- /opt/watcher/bin/watcher run -c /etc/watcher/config.toml >"$SCRATCH/run.log" 2>&1 &
service=$!
for _ in $(seq 1 120); do
    grep -q "watcher.events: start" "$SCRATCH/run.log" && break
    sleep 1
done
grep -q "Ctrl-C to stop" "$SCRATCH/run.log" && echo "service: started"
kill -TERM "$service"
wait "$service" || true
if grep -q "watcher.events: start" "$SCRATCH/run.log" && grep -q "watcher: stopped" "$SCRATCH/run.log"; then
    echo "service: event seen, stopped cleanly"
else
    cat "$SCRATCH/run.log"
fi
stat -c '%U %a %n' /etc/watcher /etc/watcher/config.toml /etc/watcher/env /var/lib/watcher \
    /var/lib/watcher/watcher.db
