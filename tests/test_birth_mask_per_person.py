"""birth_mask.mask computes the pad once per person when given a person number: the
masked values must be exactly those of the per-row computation."""
import datetime as dt

import polars as pl

from assets.common.birth_mask import mask, unmask

KEY = b"test-key-0123456789abcdefghijklmnop"


def test_pads_once_per_person_equal_pads_per_row():
    ids = pl.Series(["a" * 64, "b" * 64, "a" * 64, None, "c" * 64, "b" * 64])
    nrs = pl.Series([1, 2, 1, 9, 3, 2])
    dates = pl.Series([dt.date(1980, 1, 2), dt.date(1990, 5, 6), None, dt.date(2000, 1, 1), dt.date(1955, 2, 28),
                       dt.date(1990, 5, 6)])
    per_row = mask(ids, dates, KEY)
    per_person = mask(ids, dates, KEY, persoon_nr=nrs)
    assert per_person.to_list() == per_row.to_list()
    assert per_row.null_count() == 2  # no date, no person
    assert unmask(ids, per_person, KEY).to_list() == [dates[0], dates[1], None, None, dates[4], dates[5]]
    # two persons with one date get different masked values
    assert per_row[1] != mask(pl.Series(["d" * 64]), pl.Series([dt.date(1990, 5, 6)]), KEY)[0]
