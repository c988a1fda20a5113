"""Dutch number formatting and HTML escaping for the report pages."""
from __future__ import annotations

import html
import math


def getal(n: int | float | None) -> str:
    """12345 -> '12.345'; None -> ''."""
    if n is None:
        return ""
    return f"{int(n):,}".replace(",", ".")


def decimaal(x: float | None, decimals: int = 1) -> str:
    """7.25 -> '7,3' (the value is already rounded in the tables; this only formats)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(x: float | None, decimals: int = 1) -> str:
    """7.3 -> '7,3 %'."""
    return "" if x is None else f"{decimaal(x, decimals)} %"


def pp(x: float | None) -> str:
    """A difference in percentage points with its sign: '+1,2 pp', '-0,4 pp'."""
    if x is None:
        return ""
    return f"{'+' if x > 0 else ''}{decimaal(x)} pp"


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)
