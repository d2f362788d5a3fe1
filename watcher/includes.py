"""`include = ["rules/x.toml"]`: recipe files whose `[[zones]]` and `[[rules]]` join the config."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watcher.errors import ConfigError

MERGED = ("zones", "rules")
"""The tables an included file may hold."""

_ITEM = re.compile(r"^(zones|rules)\[(\d+)\](.*)$")


@dataclass(frozen=True, slots=True)
class Origins:
    """Where each merged zone and rule came from: (file, index in that file), in merged order."""

    items: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def relocate(self, error: ConfigError) -> ConfigError:
        """The same error pointing at the included file and its own index, when the item came from one."""
        match = _ITEM.match(error.key or "")
        if match is None:
            return error
        table, index, rest = match.group(1), int(match.group(2)), match.group(3)
        origins = self.items.get(table, [])
        if index >= len(origins) or origins[index][0] == error.file:
            return error
        file, local = origins[index]
        return ConfigError(error.problem, file=file, key=f"{table}[{local}]{rest}")


def _read(path: Path, file: str, key: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read included file {path}: {exc.strerror or exc}", file=file, key=key
        ) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", file=str(path)) from None


def expand_includes(data: dict[str, Any], file: str) -> tuple[dict[str, Any], Origins]:
    """`data` with the zones and rules of its included files appended, and where each came from."""
    if "include" not in data:
        return data, Origins()
    for table in MERGED:
        if not isinstance(data.get(table, []), list):
            raise ConfigError("must be an array of tables", file=file, key=table)
    items: dict[str, list[tuple[str, int]]] = {
        table: [(file, i) for i in range(len(data.get(table, [])))] for table in MERGED
    }
    includes = data.get("include", [])
    if not isinstance(includes, list) or not all(isinstance(p, str) for p in includes):
        raise ConfigError("must be an array of file paths", file=file, key="include")
    merged = {**data, **{table: list(data.get(table, [])) for table in MERGED}}
    base = Path(file).parent
    for i, name in enumerate(includes):
        path = Path(name).expanduser()
        path = path if path.is_absolute() else base / path
        extra = _read(path, file, f"include[{i}]")
        for key in extra:
            if key not in MERGED:
                raise ConfigError(
                    "unknown key (an included file holds only [[zones]] and [[rules]])",
                    file=str(path),
                    key=key,
                )
        for table in MERGED:
            entries = extra.get(table, [])
            if not isinstance(entries, list):
                raise ConfigError("must be an array of tables", file=str(path), key=table)
            merged[table].extend(entries)
            items[table].extend((str(path), j) for j in range(len(entries)))
    return merged, Origins(items)
