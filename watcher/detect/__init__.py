"""Object detectors (ONNX Runtime, CPU), the motion gate and a scripted test double."""

from watcher.detect.base import Detector, OnnxDetector
from watcher.detect.letterbox import Letterbox, LetterboxMeta
from watcher.detect.load import LoadedModel, config_model_info, load_detector, make_detector, open_model
from watcher.detect.manifest import ModelInfo, list_models, models_dir
from watcher.detect.motion import MotionGate, MotionResult
from watcher.detect.nms import nms_per_class, suppress_cross_class
from watcher.detect.scripted import ScriptedBox, ScriptedDetector
from watcher.detect.segment import YoloSegDetector
from watcher.detect.ssd import SsdDetector
from watcher.detect.yolo import YoloDetector

__all__ = [
    "Detector",
    "Letterbox",
    "LetterboxMeta",
    "LoadedModel",
    "ModelInfo",
    "MotionGate",
    "MotionResult",
    "OnnxDetector",
    "ScriptedBox",
    "ScriptedDetector",
    "SsdDetector",
    "YoloDetector",
    "YoloSegDetector",
    "config_model_info",
    "list_models",
    "load_detector",
    "make_detector",
    "models_dir",
    "nms_per_class",
    "open_model",
    "suppress_cross_class",
]
