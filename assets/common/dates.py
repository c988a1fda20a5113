"""Strict date parsing and the calendar arithmetic of the contract."""
from __future__ import annotations

import datetime as dt

import polars as pl

NL_DATE = r"^[0-9]{2}-[0-9]{2}-[0-9]{4}$"  # dd-mm-jjjj (CSV, XLSX text)
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # YYYY-MM-DD (DDAS)


def parse_date(expr: pl.Expr, fmt: str = "nl") -> pl.Expr:
    """Trimmed text -> Date, null when absent or not a real date in exactly the format."""
    text = expr.cast(pl.Utf8).str.strip_chars()
    pattern, chrono = (NL_DATE, "%d-%m-%Y") if fmt == "nl" else (ISO_DATE, "%Y-%m-%d")
    parsed = text.str.strptime(pl.Date, chrono, strict=False)
    return pl.when(text.str.contains(pattern)).then(parsed).otherwise(None)


def is_present(expr: pl.Expr) -> pl.Expr:
    """A text field counts as given when it is not null and not blank after trimming."""
    return expr.cast(pl.Utf8).str.strip_chars().str.len_chars().fill_null(0) > 0


def date_invalid(expr: pl.Expr, fmt: str = "nl") -> pl.Expr:
    """Given, but not a real date in the stated format."""
    return is_present(expr) & parse_date(expr, fmt).is_null()


def earliest(*dates: pl.Expr | str) -> pl.Expr:
    """The earliest non-null of the date columns, null when all are null; named after the first.

    Not pl.min_horizontal: in polars 1.44 it returns one row instead of the frame's height
    when all its inputs are computed all-null columns (when/then results)."""
    exprs = [pl.col(d) if isinstance(d, str) else d for d in dates]
    out = exprs[0]
    for other in exprs[1:]:
        out = pl.when(other.is_not_null() & (out.is_null() | (other < out))).then(other).otherwise(out)
    return out


def add_months(expr: pl.Expr, n: int) -> pl.Expr:
    """+ n calendar months, clamped to the month's last day (31-08 + 6 = 28/29-02)."""
    return expr.dt.offset_by(f"{n}mo")


def minus_years_5(expr: pl.Expr) -> pl.Expr:
    """Same day and month five years earlier; 29-02 becomes 28-02."""
    return expr.dt.offset_by("-5y")


def add_months_py(d: dt.date, n: int) -> dt.date:
    """Scalar reference of `add_months` (used by tests and reference implementations)."""
    import calendar

    month = d.month - 1 + n
    year = d.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
