"""The base of every config model: unknown keys are errors, values are immutable, scalars are not coerced."""

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _array_as_tuple(value: Any) -> Any:
    # TOML has arrays, not tuples: strict mode alone would refuse `[0.5, 0.5]` for a point.
    return tuple(value) if isinstance(value, list) else value


FromArray = BeforeValidator(_array_as_tuple)
"""Put on a tuple field: a TOML array is accepted for it."""
Pair = Annotated[tuple[float, float], FromArray]
"""`[a, b]`: two numbers, e.g. a point in relative image coordinates."""


class StrictModel(BaseModel):
    # strict: `"5"` for a number or `"yes"` for a boolean is an error naming the key, not a guess;
    # an integer is still a valid float (TOML writes `5` for 5.0).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
