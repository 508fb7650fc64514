"""Dotted keys and nested tables: a scenario's keys as `--set` writes them (`rmp.monthly`) and
as a TOML file or a dict nests them, and numpy values as the Python values a scenario holds."""

from __future__ import annotations

from typing import Any

from repomodel.errors import InputError


def flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    """`{"banks": {"lclor_large": x}}` and `{"banks.lclor_large": x}` alike -> dotted keys."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


def nested(table: dict) -> dict:
    """A dict scenario with dotted keys (`{"start.reserves": 3000}`) as the nested tables a
    scenario file has (`{"start": {"reserves": 3000}}`); nested ones are left as they are."""
    out: dict = {}
    for key, value in table.items():
        parts = key.split(".") if isinstance(key, str) else [key]
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InputError(
                    f"scenario <dict>: '{key}' sets a key inside {part!r}, which is also given a value"
                )
        last = parts[-1]
        if isinstance(value, dict) and isinstance(node.get(last), dict):
            node[last].update(nested(value))
        else:
            node[last] = nested(value) if isinstance(value, dict) else value
    return out


def plain(value: Any) -> Any:
    """A numpy value as the Python value it holds (`np.int64(60)` -> 60, `np.float32` or
    `np.longdouble` -> float, `np.bool_` -> bool, `np.datetime64` -> date), also inside lists
    and tables: a loop over `np.arange` or a column of a frame hands the API those."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        kind = getattr(value, "dtype", None)
        if kind is not None and kind.kind == "M":  # datetime64 of any unit: .item() of ns is an int
            return value.astype("datetime64[D]").item()
        value = value.item()
        return float(value) if type(value).__module__ == "numpy" else value  # longdouble stays numpy
    if isinstance(value, list):
        return [plain(v) for v in value]
    return {k: plain(v) for k, v in value.items()} if isinstance(value, dict) else value
