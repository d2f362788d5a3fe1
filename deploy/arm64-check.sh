#!/usr/bin/env bash
# The Raspberry Pi's arm64 checked for real, under emulation: an arm64 Debian Bookworm root (debootstrap),
# the locked aarch64 wheels (numpy, onnxruntime, OpenCV, ...) and watcher's own wheel installed in it,
# then each model's detections on real frames and a short `watcher replay` there (as a Pi 4's
# Cortex-A72, or with --cpu a Pi 5's Cortex-A76) and on this machine, compared by deploy/arm64_check.py:
# AP50 of person and car against this machine's float model, and the same events. docs/performance.md
# has the figures (#arm64-under-emulation).
#
#   sudo deploy/arm64-check.sh [--root DIR] [--qemu BINARY] [--cpu cortex-a72|cortex-a76]... [--step K]
#                              [--no-replay] [MODEL...]
#
# MODEL: a manifest name or an .onnx file (default: yolov8n_int8); this machine always runs the float
# yolov8n too, the reference. --step K / --no-replay thin the emulated runs (every K-th frame, no
# replay): the float model is ~10x slower than int8 under qemu, so `--step 8 --no-replay yolov8n`
# takes minutes per CPU instead of an hour. Needs root (debootstrap), Debian's qemu-user-static,
# debootstrap and proot, and the network (Debian's mirror, PyPI). --qemu (or $WATCHER_QEMU) names the
# qemu-aarch64 user-mode emulator, default qemu-aarch64-static: use qemu 10 (Debian 13's qemu-user),
# since 7.2 (Debian 12) aborts at random with heap corruption. The root (about 1 GB;
# $WATCHER_ARM64_ROOT, else ~/.cache/watcher-arm64root) is kept between runs: the first takes about
# 15 minutes, later ones only the model runs. Results: DIR/check/<models>/{x86_64,arm64-CPU,
# compare-CPU}.json; exit 1 when a model falls short on any CPU.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
ROOT="${WATCHER_ARM64_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/watcher-arm64root}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HOST_PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
QEMU="${WATCHER_QEMU:-qemu-aarch64-static}"
MODELS=()
CPUS=()
THIN=()

while [[ $# -gt 0 ]]; do
    case "$1" in
        --root) ROOT="${2:?--root needs a folder}"; shift ;;
        --qemu) QEMU="${2:?--qemu needs the qemu-aarch64 binary}"; shift ;;
        --cpu) CPUS+=("${2:?--cpu needs cortex-a76 or cortex-a72}"); shift ;;
        --step) THIN+=(--step "${2:?--step needs a number}"); shift ;;
        --no-replay) THIN+=(--no-replay) ;;
        -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
        -*) echo "arm64-check.sh: unknown option $1" >&2; exit 2 ;;
        *) MODELS+=("$1") ;;
    esac
    shift
done
[[ ${#MODELS[@]} -gt 0 ]] || MODELS=(yolov8n_int8)
# The Pi 4's core by default: under qemu 7.2 the replay as a cortex-a76 aborts with heap corruption
# (not seen as a cortex-a72, nor in the detections alone), so there `--cpu cortex-a76` wants
# --no-replay; qemu 10 runs it.
[[ ${#CPUS[@]} -gt 0 ]] || CPUS=(cortex-a72)
ROOT="$(realpath -m "$ROOT")"
case "$ROOT/" in
    "$REPO"/*) echo "arm64-check.sh: --root $ROOT is inside the repository; pick a folder outside it" >&2; exit 2 ;;
esac
# proot runs qemu by its path, and it must be a static build: the root has no x86 libraries.
if ! qemu_path="$(command -v "$QEMU")"; then
    echo "arm64-check.sh: qemu-aarch64 emulator $QEMU not found (--qemu or \$WATCHER_QEMU; apt-get install qemu-user-static)" >&2
    exit 2
fi
QEMU="$qemu_path"
for tool in debootstrap proot; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "arm64-check.sh: $tool is missing (apt-get install qemu-user-static debootstrap proot)" >&2
        exit 2
    fi
done
[[ -x $HOST_PYTHON ]] || HOST_PYTHON=python3
CHECK="$ROOT/check"

# cpuinfo CPU: an arm64 /proc/cpuinfo for the emulated CPU. qemu-user shows the host's x86 one, and
# onnxruntime's CPU probe (pytorch/cpuinfo) crashes on it (SIGSEGV at import); the instruction-set
# features it uses come from the aux vector, which qemu fills for the emulated CPU.
cpuinfo() {
    local part variant revision features
    case "$1" in
        cortex-a72) part=0xd08 variant=0x0 revision=3 features="fp asimd evtstrm crc32 cpuid" ;;
        cortex-a76) part=0xd0b variant=0x4 revision=1
            features="fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp" ;;
        *) echo "arm64-check.sh: --cpu $1: cortex-a72 (Pi 4) or cortex-a76 (Pi 5)" >&2; return 2 ;;
    esac
    for ((i = 0; i < $(nproc); i++)); do
        printf 'processor\t: %s\nmodel name\t: %s\nFeatures\t: %s\n' "$i" "$1 under qemu-aarch64 $(qemu_version)" "$features"
        printf 'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: %s\nCPU part\t: %s\nCPU revision\t: %s\n\n' \
            "$variant" "$part" "$revision"
    done
}

qemu_version() { "$QEMU" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p'; }

# in_root CMD...: run an arm64 program in the root as CPU (cortex-a72 unless CPU is set), the
# repository mounted at /repo. The host's CA bundle goes in too (pip trusts it), so a TLS-inspecting
# proxy that this machine trusts works there. Always through proot -q: qemu's -cpu applies, and no
# binfmt_misc registration (a kernel setting) is needed. FFmpeg decodes on one thread: its frame
# threads corrupt the heap under qemu-user 7.2 (glibc aborts with "malloc(): smallbin double linked
# list corrupted"), and glibc's restartable sequences are off (qemu-user does not emulate them); a
# real Pi needs neither. Heap aborts still happen now and then (see the exit check below), fewer
# with one ONNX Runtime thread (--threads 1: the same kernels, so the same results): rerun.
in_root() {
    local cpu="${CPU:-cortex-a72}"
    cpuinfo "$cpu" >"$CHECK/cpuinfo-$cpu"
    proot -0 -q "$QEMU -cpu $cpu" -r "$ROOT" -b /dev -b /proc -b /sys \
        -b "$CHECK/cpuinfo-$cpu:/proc/cpuinfo" -b /etc/resolv.conf -b "$REPO:/repo" \
        -b "$CA_BUNDLE:/etc/ssl/certs/host-ca.crt" -w / \
        /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        PIP_CERT=/etc/ssl/certs/host-ca.crt OPENCV_FFMPEG_CAPTURE_OPTIONS="threads;1" \
        GLIBC_TUNABLES=glibc.pthread.rseq=0 "$@"
}

step() { printf '== %s\n' "$*"; }

if [[ ! -x $ROOT/usr/bin/python3 ]]; then
    step "arm64 Debian Bookworm root in $ROOT (debootstrap, then its second stage under emulation)"
    mkdir -p "$CHECK"
    debootstrap --foreign --arch=arm64 --variant=minbase \
        --include=python3,python3-venv,libgl1,libglib2.0-0,ca-certificates bookworm "$ROOT" "$MIRROR"
    in_root DEBOOTSTRAP_DIR=/debootstrap /debootstrap/debootstrap --second-stage
fi

mkdir -p "$CHECK/dist" "$CHECK/models"
step "watcher's wheel (pure Python) and the models to check"
rm -f "$CHECK"/dist/watcher-*.whl
"$HOST_PYTHON" -m pip wheel --quiet --no-deps -w "$CHECK/dist" "$REPO"
wheels=("$CHECK"/dist/watcher-*.whl)
WHEEL="/check/dist/$(basename "${wheels[0]}")"
ARM_MODELS=()
for model in "${MODELS[@]}"; do
    if [[ $model == *.onnx ]]; then
        cp "$model" "$CHECK/models/"
        ARM_MODELS+=("/check/models/$(basename "$model")")
    else
        ARM_MODELS+=("$model")
    fi
done

step "the locked aarch64 wheels and watcher in /check/venv (pip under emulation)"
[[ -x $CHECK/venv/bin/python ]] || in_root python3 -m venv /check/venv
in_root /check/venv/bin/pip install --quiet --disable-pip-version-check -c /repo/constraints.txt "$WHEEL"

label="$(printf '%s+' "${MODELS[@]##*/}")"
OUT="$CHECK/${label%+}"
mkdir -p "$OUT"
step "x86_64 (this machine): ${MODELS[*]} and the float reference"
x86_models=("${MODELS[@]}")
[[ " ${MODELS[*]} " == *" yolov8n "* ]] || x86_models+=(yolov8n)
"$HOST_PYTHON" "$HERE/arm64_check.py" run "$OUT/x86_64.json" "${x86_models[@]}"
"$HOST_PYTHON" "$HERE/arm64_check.py" save-frames "$CHECK/frames.npz"
verdict=0
for cpu in "${CPUS[@]}"; do
    step "arm64 as $cpu (qemu-aarch64): ${MODELS[*]} ${THIN[*]}"
    rm -f "$OUT/arm64-$cpu.json"
    CPU=$cpu in_root /check/venv/bin/python /repo/deploy/arm64_check.py \
        run "/check/${OUT#"$CHECK/"}/arm64-$cpu.json" --threads 1 --frames /check/frames.npz "${THIN[@]}" \
        "${ARM_MODELS[@]}"
    # proot exits 0 when the program dies of a signal: the result file is the proof it ran.
    if [[ ! -s $OUT/arm64-$cpu.json ]]; then
        echo "arm64-check.sh: the arm64 run as $cpu wrote no results (crashed under emulation?)" >&2
        exit 1
    fi
    step "compare x86_64 with $cpu ($OUT/compare-$cpu.json)"
    "$HOST_PYTHON" "$HERE/arm64_check.py" compare "$OUT/x86_64.json" "$OUT/arm64-$cpu.json" \
        >"$OUT/compare-$cpu.json" || verdict=1
    "$HOST_PYTHON" "$HERE/arm64_check.py" summary "$OUT/compare-$cpu.json"
done
exit "$verdict"
