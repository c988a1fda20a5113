"""One extra DDAS delivery for a landing folder written by `generate`: the nightly increment.

`extra_delivery(landing, trajectories, seed)` writes ONE new file (about one API page of
the DDAS interface) from the supplier with the most accepted records, delivered after
every file already taken (`aanleverdatumEnTijd` one hour after the latest, its calendar
date still on or before the peildatum). It re-delivers that supplier's trajectories as
the supplier knows them later:

- open trajectories closed (an end date in the 60 days up to the peildatum, not before
  any date the record holds, and an official end reason; `Afgerond` ones mostly with
  aftercare from the end);
- closed `Afgerond` trajectories without aftercare given a `nazorg.startdatum`;
- others re-delivered unchanged (a page holds whatever the supplier sends);
- new trajectories: returning persons (an earlier trajectory closed at least 120 days
  before) and persons never seen before (fresh valid BSNs), registered in the last 90 days.

The records are taken from the supplier's loaded files, latest delivery first, one per
trajectory (same clients and start), until there are four candidates per asked
trajectory. Only real records are used: every client's BSN is in
`ground_truth/trajectclienten.parquet` (the generator's bad records use BSNs of nobody),
so the file is valid against the official schema (nulls are dropped). The ground truth is
not updated: what the pipeline makes of the file is the pipeline's job (and the
benchmark's check is equality with a full run, not with the truth).

Deterministic per (landing, trajectories, seed): same bytes every time.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import orjson
import polars as pl

from ddas_generator.world import bsn_strings, valid_bsns

__all__ = ["extra_delivery"]

SHARE_CLOSE, SHARE_NAZORG, SHARE_NEW = 0.5, 0.25, 0.1  # of the asked trajectories, at most
ENDS = ("Afgerond", "Ingetrokken", "Nietverschenen", "Zelf", "Overig")
END_WEIGHTS = (0.6, 0.1, 0.1, 0.1, 0.1)
POOL_FACTOR = 4  # candidates read per asked trajectory: room to choose each kind of change
RETURN_GAP = dt.timedelta(days=120)  # a returning person's earlier trajectory ended at least this long ago
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STAMP = re.compile(rb'"aanleverdatumEnTijd"\s*:\s*"([^"]+)"')


def _strip_nulls(v):
    """null is an absent value (sources.md): leave it out, so the record meets the schema."""
    if isinstance(v, dict):
        kept = {k: _strip_nulls(x) for k, x in v.items() if x is not None}
        return {k: x for k, x in kept.items() if x != {}}  # {"startdatum": null} was no object at all
    if isinstance(v, list):
        return [_strip_nulls(x) for x in v if x is not None]
    return v


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _stamp_of(path: Path) -> str:
    """aanleverdatumEnTijd without parsing the whole file (the generator writes it first)."""
    with path.open("rb") as fh:
        m = _STAMP.search(fh.read(1024))
    return m.group(1).decode() if m else orjson.loads(path.read_bytes())["aanleverdatumEnTijd"]


def _start(t: dict) -> str | None:
    return (t.get("aanmelding") or {}).get("startdatum") or t.get("startdatum") or (t.get("informatieEnAdvies") or {}).get("startdatum")


def _end(t: dict) -> str | None:
    return t.get("einddatum") or (t.get("uitstroom") or {}).get("datum")


def _pool(landing: Path, files: list[str], real: set[str], enough: int) -> tuple[list[tuple[str, dict]], dict[str, dict]]:
    """(organisation name, record) once per trajectory, latest delivery first, until `enough`
    are found (a national landing need not be read back to its first year); organisations by name."""
    seen: set[tuple] = set()
    pool: list[tuple[str, dict]] = []
    orgs: dict[str, dict] = {}
    for bestand in files:
        doc = orjson.loads((landing / bestand).read_bytes())
        for lev in doc["leveringen"]:
            org = _strip_nulls(lev["aanleverende_organisatie"])
            name = org["(Statutaire) Naam"]
            orgs.setdefault(name, org)
            for t in lev["schuldhulptrajecten"]:
                clients = t.get("client") if isinstance(t, dict) else None
                bsns = [c.get("Burgerservicenummer") if isinstance(c, dict) else None for c in clients or [None]]
                if not all(isinstance(b, str) and b in real for b in bsns):
                    continue  # a bad record (BSN of nobody): never re-delivered
                key = (tuple(sorted(set(bsns))), _start(t))
                if key not in seen:
                    seen.add(key)
                    pool.append((name, _strip_nulls(t)))
        if len(pool) >= enough:
            break
    return pool, orgs


def _latest_date(v) -> str:
    """The latest YYYY-MM-DD anywhere in a record (a phase may have started after the aanmelding)."""
    if isinstance(v, dict):
        return max((_latest_date(x) for x in v.values()), default="")
    if isinstance(v, list):
        return max((_latest_date(x) for x in v), default="")
    return v if isinstance(v, str) and _DATE.fullmatch(v) else ""


def _day(rng: np.random.Generator, last: dt.date, days: int, floor: dt.date) -> dt.date:
    """A day in the `days` days up to `last`, never before `floor`."""
    return max(floor, last - dt.timedelta(days=int(rng.integers(0, days))))


def _fresh_persons(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    found: list[str] = []
    while len(found) < n:
        found += [b for b in bsn_strings(valid_bsns(2 * (n - len(found)) + 16, rng)).to_list() if b not in taken and b not in found]
    return found[:n]


def extra_delivery(landing: Path, trajectories: int = 25_000, seed: int = 1, peildatum: dt.date | None = None) -> dict:
    """Write the extra delivery into `landing/ddas/`; returns its path (relative) and counts per kind of change."""
    landing = Path(landing)
    gt = landing / "ground_truth"
    meta = orjson.loads((gt / "meta.json").read_bytes())
    peildatum = peildatum or dt.date.fromisoformat(meta["until"])
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xE27A, trajectories]))

    loaded = pl.read_parquet(gt / "leveringen.parquet").filter(pl.col("bron") == "ddas", pl.col("status") == "geladen")
    stamps = {b: _stamp_of(landing / b) for b in loaded["bestand"].to_list()}
    instants = {b: _instant(s) for b, s in stamps.items()}
    moment = max(instants.values()) + dt.timedelta(hours=1)
    if moment.astimezone(dt.timezone.utc).date() > peildatum:
        raise ValueError("no delivery moment after the latest file falls on or before the peildatum")
    stamp = moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    supplier_of = loaded.with_columns(code=pl.col("bestand").str.extract(r"([^/_]+)_[^/]*$"))
    supplier = (supplier_of.group_by("code").agg(pl.col("records_geaccepteerd").sum())
                .sort(["records_geaccepteerd", "code"], descending=[True, False])["code"][0])
    files = sorted((b for b in supplier_of.filter(pl.col("code") == supplier)["bestand"].to_list()),
                   key=lambda b: (instants[b], b), reverse=True)
    real = set(pl.read_parquet(gt / "trajectclienten.parquet", columns=["bsn"])["bsn"].to_list())
    pool, orgs = _pool(landing, files, real, POOL_FACTOR * trajectories)
    latest = orjson.loads((landing / files[0]).read_bytes())
    uses_einddatum = any("einddatum" in t for _, t in pool[:5000])

    n_new = round(trajectories * SHARE_NEW)
    open_ = [i for i, (_, t) in enumerate(pool) if _end(t) is None]
    no_nazorg = [i for i, (_, t) in enumerate(pool)
                 if _end(t) is not None and (t.get("uitstroom") or {}).get("reden") == "Afgerond" and "startdatum" not in t.get("nazorg", {})]
    close = sorted(rng.choice(open_, min(len(open_), round(trajectories * SHARE_CLOSE)), replace=False).tolist())
    nazorg = sorted(rng.choice(no_nazorg, min(len(no_nazorg), round(trajectories * SHARE_NAZORG)), replace=False).tolist())
    used = set(close) | set(nazorg)
    rest = [i for i in range(len(pool)) if i not in used]
    same = sorted(rng.choice(rest, min(len(rest), max(0, trajectories - n_new - len(used))), replace=False).tolist())
    n_new = trajectories - len(used) - len(same)

    out: dict[str, list[dict]] = {name: [] for name in orgs}
    today = peildatum
    for i in sorted([*close, *nazorg, *same]):
        name, t = pool[i]
        t = dict(t)
        if i in used and _end(t) is None:  # closed: the end as this supplier writes it
            end = min(today, _day(rng, today, 60, dt.date.fromisoformat(_latest_date(t))))  # after all it records
            reden = str(rng.choice(ENDS, p=END_WEIGHTS))
            if uses_einddatum:
                t["einddatum"] = end.isoformat()
            t["uitstroom"] = {"datum": end.isoformat(), "reden": reden}
            if reden == "Afgerond" and rng.random() < 0.7:
                t["nazorg"] = {"startdatum": end.isoformat()}
        elif i in used:  # aftercare started after the end
            end = dt.date.fromisoformat(_end(t))
            t["nazorg"] = {"startdatum": min(today, end + dt.timedelta(days=int(rng.integers(0, 31)))).isoformat()}
        out[name].append(t)

    # new trajectories: half by persons who return, the rest by persons never seen
    chosen = set(close) | set(nazorg) | set(same)
    people_later = {tuple(sorted(c["Burgerservicenummer"] for c in t["client"])) for _, t in pool
                    if _end(t) is None or dt.date.fromisoformat(_end(t)) > today - RETURN_GAP}
    returners, seen = [], set(people_later)  # one new trajectory per returning person
    for i, (_, t) in enumerate(pool):
        who = tuple(sorted(c["Burgerservicenummer"] for c in t["client"]))
        if i not in chosen and who not in seen:
            seen.add(who)
            returners.append(i)
    returning = sorted(rng.choice(returners, min(len(returners), n_new // 2), replace=False).tolist())
    fresh = _fresh_persons(rng, n_new - len(returning), real)
    names = [name for name, _ in pool]
    for k in range(n_new):
        if k < len(returning):
            name, old = pool[returning[k]]
            clients, gemeente = old["client"], old["gemeentecode"]
        else:
            name, old = pool[int(rng.integers(0, len(pool)))] if pool else (names[0], {})
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 20000)))
            clients = [{"Burgerservicenummer": fresh[k - len(returning)], "Geboortedatum": birth.isoformat(),
                        "Geslachtsaanduiding": "Vrouw" if rng.random() < 0.5 else "Man"}]
            gemeente = orgs[name].get("gemeentecode") or old.get("gemeentecode", "Onbekend")
        aanmelding = _day(rng, today, 90, dt.date.min)
        t = {"gemeentecode": gemeente, "aanmelding": {"startdatum": aanmelding.isoformat()}, "client": clients,
             "informatieEnAdvies": {"startdatum": aanmelding.isoformat()}}
        if rng.random() < 0.5:
            t["intake"] = {"startdatum": min(today, aanmelding + dt.timedelta(days=int(rng.integers(1, 21)))).isoformat()}
        out[name].append(t)

    doc = {
        "startdatumLevering": latest["startdatumLevering"],
        "einddatumLevering": moment.astimezone(dt.timezone.utc).date().isoformat(),
        "aanleverdatumEnTijd": stamp,
        "codeGegevensleverancier": supplier,
        "leveringen": [{"teller": n + 1, "aanleverende_organisatie": orgs[name], "schuldhulptrajecten": ts}
                       for n, (name, ts) in enumerate((k, v) for k, v in out.items() if v)],
    }
    bestand = f"ddas/{moment.year}/{Path(files[0]).stem}_aanvulling.json"
    (landing / bestand).parent.mkdir(parents=True, exist_ok=True)
    (landing / bestand).write_bytes(orjson.dumps(doc))
    return {"bestand": bestand, "aanleverdatumEnTijd": stamp, "trajecten": sum(len(v) for v in out.values()),
            "gesloten": len(close), "nazorg": len(nazorg), "ongewijzigd": len(same),
            "nieuw_terugkerend": len(returning), "nieuw_persoon": n_new - len(returning)}
