"""The two date forms of a DDAS file's header (DDAS Uitwisselmodel v1.0, sources.md §1).

`aanleverdatumEnTijd` is an RFC 3339 date-time with a required offset; its calendar date
as written is the delivery date, its instant orders deliveries. `einddatumLevering` is a
plain date (the horizon of open records). Both are read strictly: an unusable value is
None, and the caller decides what that means for the file.
"""
from __future__ import annotations

import datetime as dt
import re

from assets.common.dates import ISO_DATE

# RFC 3339 date-time; the offset (Z, z or +hh:mm / -hh:mm) is required.
_RFC3339 = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$"
)


def parse_aanleverdatum(value) -> tuple[dt.date, dt.datetime] | None:
    """(calendar date as written, instant in UTC) of an RFC 3339 date-time; None if unusable."""
    if not isinstance(value, str):
        return None
    m = _RFC3339.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(k)) for k in range(1, 7))
    micro = int((m.group(7) or ".0")[1:7].ljust(6, "0"))
    oh, om = (int(m.group(10)), int(m.group(11))) if m.group(9) else (0, 0)
    if oh > 23 or om > 59 or s > 60:
        return None
    sign = -1 if m.group(9) == "-" else 1
    try:
        tz = dt.timezone(sign * dt.timedelta(hours=oh, minutes=om))
        # A leap second (:60) is read as the first instant of the next minute.
        stamp = dt.datetime(y, mo, d, h, mi, min(s, 59), micro, tzinfo=tz) + dt.timedelta(seconds=s - min(s, 59))
    except ValueError:
        return None
    return dt.date(y, mo, d), stamp.astimezone(dt.timezone.utc)


def valid_iso_date(value) -> dt.date | None:
    """The date of a YYYY-MM-DD text (surrounding blanks ignored); None if unusable."""
    if isinstance(value, str) and re.match(ISO_DATE, value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
