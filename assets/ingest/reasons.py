"""Readable texts for the quarantine codes of model.md §2.

Texts name fields and rules, never a delivered value: the quarantine holds no contents.
"""
from __future__ import annotations

import polars as pl

from schemas.quality import Quarantaine, empty

REDEN_TEKST = {
    "rij_onleesbaar": "de regel heeft niet het aantal velden van de kopregel",
    "verplicht_veld_ontbreekt": "een verplicht veld is leeg",
    "bsn_ontbreekt": "geen client, of een client zonder BSN",
    "clienten_ongeldig": "meer dan 2 clienten",
    "bsn_ongeldig": "BSN is na normalisatie geen 9 cijfers of voldoet niet aan de elfproef",
    "gemeente_onbekend": "gemeentecode ontbreekt of staat niet in de CBS-lijst en is niet 'Onbekend'",
    "datum_ongeldig": "een datumveld is geen bestaande datum in het voorgeschreven formaat",
    "geen_startdatum": "geen van aanmelding.startdatum, startdatum en informatieEnAdvies.startdatum is gevuld",
    "product_onbekend": "Product staat niet in de mappingtabel",
    "soort_onbekend": "Soort is niet 'Nazorgtoets' of 'Contact'",
    "uitkomst_onbekend": "Nazorgtoets zonder bekende Uitkomst",
    "contactvorm_onbekend": "Contactvorm is gevuld maar onbekend",
    "reden_onbekend": "reden van uitstroom/einde staat niet in de mappingtabel",
    "reden_zonder_einde": "reden van einde zonder einddatum",
    "bedrag_ongeldig": "Schuld bij aanvang is geen bedrag in het formaat 12.345,67",
    "einde_voor_start": "einddatum ligt voor de start van het traject",
    "datum_in_toekomst": "een datumveld ligt na de peildatum",
    "dubbel_dossier": "hetzelfde Dossiernr komt meer dan eens voor in deze export",
}


def quarantine_frame(bron: str, bestand: pl.Expr | str, locatie: pl.Expr, code: pl.Expr, detail: pl.Expr | None = None) -> list[pl.Expr]:
    """Select-expressions for quarantine rows; `detail` (e.g. the field name) is appended."""
    tekst = code.replace_strict(REDEN_TEKST, return_dtype=pl.Utf8)
    if detail is not None:
        tekst = pl.when(detail.is_not_null()).then(tekst + pl.lit(" (") + detail + pl.lit(")")).otherwise(tekst)
    return [
        pl.lit(bron).alias("bron"),
        (pl.lit(bestand) if isinstance(bestand, str) else bestand).alias("bestand"),
        locatie.cast(pl.Utf8).alias("locatie"),
        code.alias("reden_code"),
        tekst.alias("reden_tekst"),
    ]


def quarantine(bron: str, judged: pl.DataFrame | pl.LazyFrame, locatie: pl.Expr) -> pl.DataFrame:
    """Quarantaine rows for the judged records with a `reden_code` (every reader's last
    step), in the judged order; `detail` names the field behind the code."""
    rows = judged.lazy().filter(pl.col("reden_code").is_not_null())
    return rows.select(quarantine_frame(bron, pl.col("bestand"), locatie, pl.col("reden_code"), pl.col("detail"))).collect()


def empty_quarantine() -> pl.DataFrame:
    return empty(Quarantaine)
