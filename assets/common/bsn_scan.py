"""The BSN scan: the last line of defence (docs/privacy.md). Shared by every stage (the
store's guarded write and the checks), so it lives in assets/common."""
from __future__ import annotations

import polars as pl

from assets.common.bsn import bsn_is_valid
from schemas.keys import SLEUTELS


# --- the BSN scan: the last line of defence (docs/privacy.md) ------------------------------
#
# The rule. A cell is suspect when it is text (or a list of texts, or a categorical) and
# holds a run of exactly nine ASCII digits, not part of a longer run of digits, that
# passes the elfproef (and is not 000000000), wherever the run stands: `D795822698`,
# `klant_111222333`, `levering_123456782.json` all hold one. Numbers (integer and float
# columns) are measures (amounts, counts, sizes, positions) and are not scanned: a BSN only
# ever travels as text, and only until the reader turns it into a persoon_id. Columns
# declared as keys (schemas/keys.py) are hex by construction and would give false alarms;
# they are not scanned but each of their values must have exactly the declared form.

# A nine-digit run needs nine digits in a row: the prefilter. `\d` (any Unicode digit) is a
# superset of [0-9] and a third faster in polars' regex engine; the runs are then exact.
_NINE = r"\d{9}"
_RUN = r"[0-9]+"  # maximal runs of digits


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.Utf8 or isinstance(dtype, (pl.Categorical, pl.Enum))


def _hits(text: pl.Expr) -> pl.Expr:
    """How many of the (text) cells hold a maximal nine-digit run that passes the elfproef."""
    text = text.filter(text.str.contains(_NINE))
    runs = text.str.extract_all(_RUN)
    bsn = (pl.element().str.len_bytes() == 9) & bsn_is_valid(pl.element())
    return runs.list.eval(bsn).list.any().fill_null(False).sum()


def _suspects(col: pl.Expr, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr] | None:
    """(distinct candidate texts, every candidate cell) of a scanned column; None if not scanned.

    The expensive part runs on distinct candidates: file names and locations repeat
    millions of times. Only when one of them hits are the cells counted. (The distinct
    values keep their order: `_hits` evaluates its input twice, and an unordered `unique`
    may come out in another order each time.)
    """
    if _is_text(dtype):
        text = col.cast(pl.Utf8)
        cells = text.filter(text.str.contains(_NINE))
        return cells.unique(maintain_order=True), cells
    if dtype == pl.List(pl.Utf8):
        # a list holds a hit when one of its elements does: the elements are the candidates
        # (joining every list first cost more than the scan); the cells, only counted after
        # a hit, are the lists joined with ' ' between the elements, which keeps runs apart
        elements = col.explode(empty_as_null=False)
        joined = col.list.join(" ")
        return elements.filter(elements.str.contains(_NINE)), joined.filter(joined.str.contains(_NINE))
    return None  # numbers are measures; dates, booleans and binaries hold no text


def _malformed(col: pl.Expr, dtype: pl.DataType, form: str, nested: bool = False) -> pl.Expr:
    """Cells of a key column whose value (every element, for a list) is not of the form.
    `nested`: the list is a field of a list of structs, where a null is a field without a
    value (a creditor without a KvK number or name), as in a plain key column."""
    if _is_text(dtype):
        return (~col.cast(pl.Utf8).str.contains(form)).fill_null(False).sum()
    if dtype == pl.List(pl.Utf8):
        bad = (~pl.element().str.contains(form)).fill_null(not nested)  # a null inside a key list is no key
        return col.list.eval(bad).list.any().fill_null(False).sum()
    return col.is_not_null().sum()  # a key column must hold text: any other value is suspect


def _leaves(name: str, col: pl.Expr, dtype: pl.DataType, in_list: bool = False):
    """(name, expression, dtype, leaf name, in a list of structs) of every column and nested field: a struct's
    fields as `kolom.veld`, a list of structs' fields as lists (`schulden.schuldeiser_id`
    is the List(Utf8) of each record's creditors). Nested text is scanned like any text,
    a nested key by its own name (schemas/keys.py)."""
    leaf = name.rsplit(".", 1)[-1]
    if isinstance(dtype, pl.Struct):
        for f in dtype.fields:
            sub = pl.element().struct.field(f.name) if in_list else col.struct.field(f.name)
            yield from _leaves(f"{name}.{f.name}", col.list.eval(sub) if in_list else sub, f.dtype, in_list)
    elif isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
        for f in dtype.inner.fields:
            yield from _leaves(f"{name}.{f.name}", col.list.eval(pl.element().struct.field(f.name)), pl.List(f.dtype), True)
    elif in_list and isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.List):
        yield name, col.list.eval(pl.element().list.explode(keep_nulls=False, empty_as_null=False)), dtype.inner, leaf, True  # a list in a list of structs: its elements
    else:
        yield name, col, dtype, leaf, in_list


def bsn_like_cells(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per column: how many cells are suspect (`kolom`, `cellen`), only columns with some.

    Text columns: cells with a nine-digit run that passes the elfproef (the rule above).
    Key columns (schemas.keys.SLEUTELS): cells that are not of the declared form. Never
    the values themselves.
    """
    lf = df.lazy()
    leaves = [x for n, t in lf.collect_schema().items() for x in _leaves(n, pl.col(n), t)]
    keys = {n: _malformed(c, t, SLEUTELS[leaf], nested) for n, c, t, leaf, nested in leaves if leaf in SLEUTELS}
    suspects = {n: s for n, c, t, leaf, _ in leaves if leaf not in SLEUTELS and (s := _suspects(c, t)) is not None}
    none = pl.DataFrame(schema={"kolom": pl.Utf8, "cellen": pl.UInt32})
    if not suspects and not keys:
        return none
    first = lf.select(*(_hits(d).alias(n) for n, (d, _) in suspects.items()), *(e.alias(n) for n, e in keys.items())).collect()
    found = {n: int(first[n].item()) for n in keys if first[n].item()}
    hit = [n for n in suspects if first[n].item() > 0]
    if hit:  # count the cells, not just the distinct texts
        counts = lf.select(_hits(suspects[n][1]).alias(n) for n in hit).collect()
        found.update({n: int(counts[n].item()) for n in hit})
    if not found:
        return none
    order = [n for n, *_ in leaves if n in found]
    return pl.DataFrame({"kolom": order, "cellen": [found[n] for n in order]}, schema=none.schema)

