"""Logging set-up: short text or JSON lines on stdout, optional rotating file."""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from pathlib import Path

from watcher.config import LoggingConfig
from watcher.redact import RedactingFormatter

_TEXT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(out)


def setup(cfg: LoggingConfig, base_dir: Path | None = None) -> None:
    """Configure the root logger from the config's `[logging]` table."""
    formatter: logging.Formatter = RedactingFormatter(
        JsonFormatter() if cfg.format == "json" else logging.Formatter(_TEXT, "%H:%M:%S")
    )
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stdout)]
    if cfg.file:
        path = Path(cfg.file)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                path, maxBytes=int(cfg.max_mb * 1024 * 1024), backupCount=cfg.backups
            )
        )
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(cfg.level)
    # Third-party chatter stays out of a daemon's log unless asked for.
    for noisy in ("onnxruntime", "paho", "asyncio", "PIL", "matplotlib"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
