"""Findings of a loaded DDAS file against the official JSON Schema (spec/README.md).

jsonschema-rs (Draft 2020-12, `validate_formats=True`: `date`, `date-time` and `email`
are asserted) yields the errors. Its own messages quote the offending value (a whole
`client` array, BSNs included), so they are never used: each `melding` is built from the
error kind and the schema's constraint at the error's schema location.

Speed. jsonschema-rs checks a 6,000-trajectory file in milliseconds, but every error it
hands to Python costs 5-15 µs, and an error on the document root converts the whole
document back to Python (~0.1 s per error). Real files carry one `null` per absent date,
so most errors are nulls. Hence, with the same validator and the same findings:

- the document is validated as a shell (trajectory arrays emptied) plus each trajectory
  array on its own, so a root-level error converts only the small shell;
- when a file holds many nulls, they are found in one walk over the parsed document
  (only where the schema names the key, never below a combinator or `$ref`), swapped for
  a placeholder the validator accepts there, and their findings are copied from a
  one-time validation of `null` at that schema position; the nulls are put back after.
`schema_findings(..., fast=False)` validates the plain document; the tests compare both.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

import jsonschema_rs
import polars as pl

from assets.common.reference import ddas_json_schema
from schemas.quality import SchemaAfwijkingen, dtypes

FINDINGS_SCHEMA = dtypes(SchemaAfwijkingen)

_FORMAT_UITLEG = {
    "date": "een date (YYYY-MM-DD)",
    "date-time": "een date-time (RFC 3339, bijv. 2024-12-31T23:59:59Z)",
    "time": "een time (HH:MM:SS met offset)",
    "email": "een email (e-mailadres)",
}
# Below these keywords a value's errors may depend on more than the value and its own
# schema node (`enum`, `const`, `uniqueItems` on a container compare the children).
_NOT_WALKED = {"$ref", "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if", "dependentSchemas",
               "unevaluatedProperties", "unevaluatedItems", "patternProperties", "prefixItems", "contains",
               "enum", "const", "uniqueItems"}
_PLACEHOLDERS = {"date": "2000-01-01", "date-time": "2000-01-01T00:00:00Z", "email": "a@example.org", "time": "00:00:00Z"}
_BY_TYPE = {"string": "x", "integer": 0, "number": 0, "boolean": False, "array": [], "object": {}}
_ROW_SCHEMA = {"lev": pl.Int64, "traj": pl.Int64, "json_pad": pl.Utf8, "melding": pl.Utf8}
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


# --- validators, schema lookups, texts -----------------------------------------------


@functools.cache
def _validators():
    """(root validator, trajectory-array validator or None when splitting is not exact, its schema)."""
    root = ddas_json_schema()
    root_v = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
    try:
        arr = root["properties"]["leveringen"]["items"]["properties"]["schuldhulptrajecten"]
        sub = {"$defs": root.get("$defs", {}), **arr}
        sub_v = jsonschema_rs.Draft202012Validator(sub, validate_formats=True)
    except (KeyError, TypeError):
        return root_v, None, None
    # The shell holds [] where the array was: exact only when [] itself raises nothing.
    return (root_v, sub_v, sub) if sub_v.is_valid([]) else (root_v, None, None)


# Further schemas, by name, validated plainly by `plain_findings` (no null walk, no split):
# the vroegsignalering reader registers its own (assets/ingest/vs_json.py).
FURTHER_SCHEMAS: dict[str, Callable[[], dict]] = {}


def _root(which: str) -> dict:
    if which in FURTHER_SCHEMAS:
        return FURTHER_SCHEMAS[which]()
    return ddas_json_schema() if which == "root" else _validators()[2]


def _schema_node(root: dict, parts):
    node = root
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _opsomming(values) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


@functools.cache
def _vaste_melding(which: str, schema_path: tuple) -> str | None:
    """Melding that depends only on the schema location; None for per-error kinds."""
    keyword = schema_path[-1] if schema_path else "schema"
    node = _schema_node(_root(which), schema_path)
    if keyword in ("required", "additionalProperties"):
        return None
    if keyword == "type":
        return "type: verwacht " + " of ".join(str(t) for t in (node if isinstance(node, list) else [node]))
    if keyword == "enum" and isinstance(node, list):
        naam = f"{schema_path[-2]} " if len(schema_path) >= 3 and schema_path[-3] == "$defs" else ""
        return f"enum: waarde hoort bij {naam}{_opsomming(node)}"
    if keyword == "format":
        return "format: verwacht " + _FORMAT_UITLEG.get(str(node), f"formaat {node}")
    if keyword == "minItems":
        return f"minItems: minstens {node} element(en) vereist"
    if keyword == "maxItems":
        return f"maxItems: hoogstens {node} element(en) toegestaan"
    return f"{keyword}: voldoet niet aan de schema-eis {keyword} = {node}"


def _melding(error, which: str) -> str:
    schema_path = tuple(error.schema_path)
    fixed = _vaste_melding(which, schema_path)
    if fixed is not None:
        return fixed
    kind = error.kind
    if schema_path[-1] == "required":
        # The name comes from the schema's own `required` list; checked, so never delivered text.
        naam = kind.property if kind.property in (_schema_node(_root(which), schema_path) or []) else None
        return f"required: eigenschap '{naam}' ontbreekt" if naam else "required: verplichte eigenschap ontbreekt"
    # additionalProperties: delivered key names, shown unless they hold a digit (a key can hold a number).
    extra = list(kind.unexpected)
    shown = [k for k in extra if not re.search(r"\d", k) and len(k) <= 64]
    tekst = "additionalProperties: eigenschap niet toegestaan"
    if shown:
        tekst += " " + _opsomming(shown)
    if len(extra) > len(shown):
        tekst += f" (+{len(extra) - len(shown)} naam/namen met cijfers, niet getoond)"
    return tekst


@functools.cache
def _segment(part) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    if _IDENTIFIER.match(part):
        return "." + part
    return "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"


def json_pad(parts) -> str:
    """Instance path -> `$.leveringen[0].schuldhulptrajecten[2].uitstroom.reden`."""
    return "$" + "".join(_segment(p) for p in parts)


def _positie(parts) -> tuple[int, int]:
    """(levering, trajectory) index of an instance path, -1 where it has none (sort key)."""
    lev = parts[1] if len(parts) > 1 and parts[0] == "leveringen" and isinstance(parts[1], int) else -1
    traj = parts[3] if lev >= 0 and len(parts) > 3 and parts[2] == "schuldhulptrajecten" and isinstance(parts[3], int) else -1
    return lev, traj


# --- nulls apart ---------------------------------------------------------------------

# id(schema node) -> (kind, sub, plan): ("object", properties) | ("array", items) | ("", None).
# plan says, per described child, how a container value there is treated: 0 not entered
# (nothing below is walked), 1 "leafy" (no grandchild is walked: only a null child can
# matter, checked in C first), 2 walked. For an object it maps key -> (schema, mode); for
# an array it is the items' (schema, mode).
_WALK: dict[int, tuple[str, object, object]] = {}


def _mode(schema) -> int:
    kind, sub, _ = _walk_info(schema)
    if kind == "":
        return 0
    children = sub.values() if kind == "object" else [sub]
    return 1 if all(_walk_info(c)[0] == "" for c in children) else 2


def _walk_info(schema) -> tuple[str, object, object]:
    info = _WALK.get(id(schema))
    if info is None:
        kind, sub = "", None
        if isinstance(schema, dict) and not _NOT_WALKED.intersection(schema):
            if isinstance(schema.get("properties"), dict):
                kind, sub = "object", schema["properties"]
            elif isinstance(schema.get("items"), dict):
                kind, sub = "array", schema["items"]
        _WALK[id(schema)] = info = (kind, sub, None)
        if kind == "object":
            info = (kind, sub, {k: (c, _mode(c)) for k, c in sub.items()})
        elif kind == "array":
            info = (kind, sub, (sub, _mode(sub)))
        _WALK[id(schema)] = info
    return info


class _Aliased(Exception):
    """One container reached twice: swapping its nulls in place would change what the
    second path sees. Parsed JSON never shares containers; hand-built documents may."""


def _swap(container, key, parts: tuple, path: str, pos: tuple, schema, swapped: list, touched: set | None) -> None:
    meldingen, placeholder = _NULL.get(id(schema)) or _null_behaviour(parts + (key,), schema)
    if placeholder is not None:  # else the null stays and the validator reports it
        container[key] = placeholder.copy() if isinstance(placeholder, (dict, list)) else placeholder
        swapped.append((container, key, pos[0], pos[1], path, id(schema)))
        if touched is not None:
            touched.add(id(container))


def _walk(node, schema, parts: tuple, path: str, pos: tuple, swapped: list, touched: set | None = None) -> None:
    """Swap every null the schema describes one-to-one for a placeholder; record
    (container, key, levering, trajectory, json_pad, schema id) in `swapped`.

    With `touched` (a set), entering a container that already had a null swapped raises
    _Aliased; without it the caller vouches that no container is reachable twice.
    """
    if touched is not None and id(node) in touched:
        raise _Aliased
    kind, sub, plan = _WALK.get(id(schema)) or _walk_info(schema)
    full = touched is not None  # hand-built documents are walked in full, to detect sharing
    if kind == "object" and node.__class__ is dict:
        described = plan.get  # a key not described: only the parent's additionalProperties speaks about it
        for k, v in node.items():
            if v is None:
                if k in sub:
                    _swap(node, k, parts, path + _segment(k), pos, sub[k], swapped, touched)
            elif v.__class__ is dict or v.__class__ is list:
                entry = described(k)
                if entry is not None and (entry[1] == 2 or entry[1] == 1 and (
                        full or None in (v.values() if v.__class__ is dict else v))):
                    _walk(v, entry[0], parts + (k,), path + _segment(k), pos, swapped, touched)
    elif kind == "array" and node.__class__ is list:
        # the levering and trajectory index: the sort key for document order
        level = 1 if parts == ("leveringen",) else 2 if len(parts) == 3 and parts[2] == "schuldhulptrajecten" else 0
        mode = plan[1]
        for i, v in enumerate(node):
            if v is None:
                here = (i, -1) if level == 1 else (pos[0], i) if level == 2 else pos
                _swap(node, i, parts, f"{path}[{i}]", here, sub, swapped, touched)
            elif (v.__class__ is dict or v.__class__ is list) and (mode == 2 or mode == 1 and (
                    full or None in (v.values() if v.__class__ is dict else v))):
                here = (i, -1) if level == 1 else (pos[0], i) if level == 2 else pos
                _walk(v, sub, parts + (i,), f"{path}[{i}]", here, swapped, touched)


def _minimal_doc(parts: tuple, value):
    for p in reversed(parts):
        value = [value] if isinstance(p, int) else {p: value}
    return value


def _ref_chain(schema: dict) -> list[dict]:
    """The node and the local nodes its `$ref`s lead to (only to pick placeholder candidates)."""
    chain = [schema]
    while isinstance(chain[-1].get("$ref"), str) and chain[-1]["$ref"].startswith("#/") and len(chain) < 10:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in chain[-1]["$ref"][2:].split("/")]
        target = _schema_node(ddas_json_schema(), parts)
        if not isinstance(target, dict):
            break
        chain.append(target)
    return chain


_NULL: dict[int, tuple[list[str], object]] = {}


def _null_behaviour(parts: tuple, schema: dict) -> tuple[list[str], object]:
    """(meldingen the validator gives for null here, a placeholder it accepts here or None)."""
    if id(schema) not in _NULL:
        root_v = _validators()[0]
        at = tuple(0 if isinstance(p, int) else p for p in parts)
        here = list(at)
        meldingen = [_melding(e, "root") for e in root_v.iter_errors(_minimal_doc(at, None)) if e.instance_path == here]
        candidates = []
        for node in _ref_chain(schema):
            if isinstance(node.get("enum"), list) and node["enum"]:
                candidates.append(node["enum"][0])
            if node.get("format") in _PLACEHOLDERS:
                candidates.append(_PLACEHOLDERS[node["format"]])
            types = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
            candidates += [_BY_TYPE[t] for t in types if t in _BY_TYPE]
        placeholder = next(
            (c for c in candidates
             if not any(e.instance_path[: len(here)] == here for e in root_v.iter_errors(_minimal_doc(at, c)))),
            None,
        )
        _NULL[id(schema)] = (meldingen, placeholder)
    return _NULL[id(schema)]


# --- findings ------------------------------------------------------------------------


def _document_errors(doc: dict) -> list[tuple]:
    """(lev, traj, json_pad, melding) of every error, validating a shell plus each trajectory array."""
    root_v, sub_v, _ = _validators()

    def rows(errors, prefix: tuple, which: str):
        out = []
        for e in errors:
            parts = prefix + tuple(e.instance_path)
            out.append((*_positie(parts), json_pad(parts), _melding(e, which)))
        return out

    leveringen = doc.get("leveringen")
    if sub_v is None or not isinstance(leveringen, list):
        return rows(root_v.iter_errors(doc), (), "root")
    arrays = {i: lev["schuldhulptrajecten"] for i, lev in enumerate(leveringen)
              if isinstance(lev, dict) and isinstance(lev.get("schuldhulptrajecten"), list)}
    shell = dict(doc)
    shell["leveringen"] = [{**lev, "schuldhulptrajecten": []} if i in arrays else lev for i, lev in enumerate(leveringen)]
    found = rows(root_v.iter_errors(shell), (), "root")
    for i, trajecten in arrays.items():
        found += rows(sub_v.iter_errors(trajecten), ("leveringen", i, "schuldhulptrajecten"), "sub")
    return found


def schema_findings(doc: dict, bestand: str, nulls: int | None = None, fast: bool = True) -> pl.DataFrame:
    """One row per error the validator yields for `doc`, in document order.

    `nulls` (a count of `null` in the file, e.g. `raw.count(b"null")`) decides whether
    the null walk pays: measured, it does from about one null per two trajectories.
    `doc` is changed while this runs (nulls swapped for placeholders) and restored after.
    Without `nulls` the walk also checks that no container is reachable twice (a
    hand-built document may share one) and validates the plain document if one is.
    """
    root_v = _validators()[0]
    null_rows = pl.DataFrame(schema=_ROW_SCHEMA)
    if root_v.is_valid(doc):
        rows: list[tuple] = []
    elif not fast:
        rows = [(*_positie(tuple(e.instance_path)), json_pad(e.instance_path), _melding(e, "root"))
                for e in root_v.iter_errors(doc)]
    else:
        swapped: list = []
        n_traj = sum(len(lev["schuldhulptrajecten"]) for lev in doc.get("leveringen") or ()
                     if isinstance(lev, dict) and isinstance(lev.get("schuldhulptrajecten"), list))
        aliased = False
        try:
            if nulls is None or 2 * nulls > n_traj:
                # a count of nulls comes from the bytes of a parsed file: no shared containers
                _walk(doc, ddas_json_schema(), (), "$", (-1, -1), swapped, None if nulls is not None else set())
            rows = _document_errors(doc)
        except _Aliased:
            aliased = True
        finally:
            for entry in swapped:
                entry[0][entry[1]] = None
        if aliased:
            return schema_findings(doc, bestand, fast=False)
        if swapped:
            _, _, levs, trajs, paths, ids = zip(*swapped)
            per_null = pl.DataFrame({"lev": levs, "traj": trajs, "json_pad": paths, "sid": ids},
                                    schema={"lev": pl.Int64, "traj": pl.Int64, "json_pad": pl.Utf8, "sid": pl.Int64})
            texts = pl.DataFrame(
                [(sid, m) for sid, (meldingen, _) in _NULL.items() for m in meldingen],
                schema={"sid": pl.Int64, "melding": pl.Utf8}, orient="row",
            )
            null_rows = per_null.join(texts, on="sid", how="inner", maintain_order="left_right").drop("sid")
    frame = pl.concat([pl.DataFrame(rows, schema=_ROW_SCHEMA, orient="row"), null_rows])
    return frame.sort("lev", "traj", "json_pad", maintain_order=True).select(
        pl.lit(bestand, pl.Utf8).alias("bestand"), "json_pad", "melding"
    )


def plain_findings(doc: dict, bestand: str, which: str, validator) -> pl.DataFrame:
    """Findings of `doc` against the further schema `which` (FURTHER_SCHEMAS, with its
    `validator`), with the same texts as DDAS findings, in document order (array
    positions compared as numbers)."""
    errors = sorted(validator.iter_errors(doc),
                    key=lambda e: [(p, "") if isinstance(p, int) else (-1, p) for p in e.instance_path])
    rows = [(json_pad(e.instance_path), _melding(e, which)) for e in errors]
    return pl.DataFrame(rows, schema={"json_pad": pl.Utf8, "melding": pl.Utf8}, orient="row").select(
        pl.lit(bestand, pl.Utf8).alias("bestand"), "json_pad", "melding"
    )
