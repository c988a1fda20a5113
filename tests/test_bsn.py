import polars as pl
from hypothesis import given, strategies as st

from assets.common.bsn import bsn_is_valid, check_key, hash_texts, is_valid_bsn, normalise_bsn, pseudonym, pseudonymise
from tests.conftest import TEST_KEY, valid_bsns


def _valid(values):
    df = pl.DataFrame({"b": values}, schema={"b": pl.Utf8})
    return df.select(bsn_is_valid(normalise_bsn(pl.col("b"))).alias("v"))["v"].to_list()


def test_contract_examples():
    assert _valid(["111222333", "123456782", "123456789", "000000000", None, "12345678X"]) == [
        True, True, False, False, False, False,
    ]


def test_normalisation_spaces_dots_dashes_and_lost_zero():
    bsn = next(b for b in valid_bsns(200, seed=3) if b.startswith("0"))
    spaced = f"{bsn[:3]} {bsn[3:5]}.{bsn[5:7]}-{bsn[7:]}"
    assert _valid([spaced, bsn[1:]]) == [True, True]


@given(st.text(alphabet="0123456789", min_size=0, max_size=11))
def test_vectorised_matches_scalar_reference(s):
    norm = "0" + s if len(s) == 8 else s
    assert _valid([s]) == [is_valid_bsn(norm)]


def test_pseudonym_is_hmac_sha256_once_per_distinct():
    import hashlib, hmac

    b = valid_bsns(2)
    ids = pseudonymise(pl.Series([b[0], b[1], b[0], None]), TEST_KEY.encode()).to_list()
    assert ids[0] == ids[2] == hmac.new(TEST_KEY.encode(), b[0].encode(), hashlib.sha256).hexdigest()
    assert ids[1] == pseudonym(b[1], TEST_KEY.encode()) and ids[3] is None


_BSNISH = st.one_of(st.none(), st.text(alphabet="0123456789", min_size=9, max_size=9),
                    st.sampled_from(["012345678", "+12345678", "-12345678", " 12345678", "12345678", "0000000000", "abc"]))


@given(st.lists(_BSNISH, max_size=40))
def test_pseudonymise_equals_hmac_of_each_value(values):
    """Whatever the mix (all nine digits: the integer path; any other text: the text
    path), each value gets HMAC-SHA256 of exactly its own text."""
    key = TEST_KEY.encode()
    got = pseudonymise(pl.Series(values, dtype=pl.Utf8), key).to_list()
    assert got == [None if v is None else pseudonym(v, key) for v in values]


def test_key_refusals_never_echo_the_key():
    import pytest

    for bad in (None, "", "short-key"):
        with pytest.raises(ValueError) as e:
            check_key(bad)
        assert "32" in str(e.value) and (not bad or bad not in str(e.value))


@given(st.lists(st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["D1", " D1", "Café-7", "123456782"])), max_size=30))
def test_hash_texts_is_hmac_of_the_utf8_of_each_text(values):
    """The Dossiernr hash (model.md §1): HMAC-SHA256, key of persoon_id, UTF-8; equal texts, equal hashes."""
    import hashlib, hmac

    key = TEST_KEY.encode()
    got = hash_texts(pl.Series(values, dtype=pl.Utf8), key).to_list()
    assert got == [None if v is None else hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest() for v in values]
