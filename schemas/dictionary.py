"""Generate docs/data_dictionary.md from the pandera models of schemas/*.py.

    python -m schemas.dictionary          # writes docs/data_dictionary.md
    python -m schemas.dictionary --check  # exit 1 when the committed file is stale

The models are the single description of every table; this file only renders them.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

import pandera.polars as pa

import schemas

DOC = Path(__file__).resolve().parent.parent / "docs" / "data_dictionary.md"
HEADER = """# Data dictionary

Generated from the pandera models in `schemas/` by `python -m schemas.dictionary`;
do not edit by hand (a test compares this file with the models).
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


_OPERATORS = {"greater_than_or_equal_to": "≥", "less_than_or_equal_to": "≤", "greater_than": ">", "less_than": "<"}


def _check(check) -> str:
    """A readable form of a built-in pandera check: its name and its constraint."""
    stats = dict(check.statistics or {})
    if "allowed_values" in stats:
        return "one of: " + ", ".join(f"`{v}`" for v in stats["allowed_values"])
    if "pattern" in stats:
        return f"matches `{stats['pattern']}`"
    if check.name in _OPERATORS and len(stats) == 1:
        return f"{_OPERATORS[check.name]} {next(iter(stats.values()))}"
    if stats:
        return f"{check.name}: " + ", ".join(f"{k} {v}" for k, v in stats.items())
    return check.name or "custom check"


def models(module) -> list[type[pa.DataFrameModel]]:
    """The DataFrameModels defined in `module`, in the order of definition."""
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, pa.DataFrameModel) and obj.__module__ == module.__name__
    ]


def render_model(model: type[pa.DataFrameModel]) -> list[str]:
    schema = model.to_schema()
    lines = [f"### {model.__name__}", "", inspect.cleandoc(model.__doc__ or ""), ""]
    lines += ["| column | type | nullable | checks | description |", "| --- | --- | --- | --- | --- |"]
    for name, col in schema.columns.items():
        checks = [_check(c) for c in col.checks] + (["unique"] if col.unique else [])
        lines.append(
            f"| `{name}` | {_cell(col.dtype)} | {'yes' if col.nullable else 'no'} | "
            f"{_cell('; '.join(checks))} | {_cell(col.description or '')} |"
        )
    extra = []
    if schema.unique:
        extra.append("unique together: " + ", ".join(f"`{c}`" for c in schema.unique))
    extra += [f"table check: `{c.name}`" for c in schema.checks]
    if schema.strict:
        extra.append("strict: no other columns")
    if extra:
        lines += ["", *[f"- {e}" for e in extra]]
    return [*lines, ""]


def render() -> str:
    out = [HEADER]
    names = sorted(m.name for m in pkgutil.iter_modules(schemas.__path__) if m.name != "dictionary")
    for name in names:
        module = importlib.import_module(f"schemas.{name}")
        found = models(module)
        if not found:
            continue
        summary = inspect.cleandoc(module.__doc__ or "").splitlines()[0] if module.__doc__ else ""
        out += [f"## `schemas/{name}.py`", "", summary, ""]
        for model in found:
            out += render_model(model)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render docs/data_dictionary.md from the pandera models.")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is stale: run python -m schemas.dictionary", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
