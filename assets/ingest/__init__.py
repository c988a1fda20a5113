"""Ingest: one module per delivery kind, each reading, validating and pseudonymising.

inventory.py  steps 1-2 of sources.md for every entry (links, unreadable, name, duplicate hash)
names.py      how a file name is shown: digit runs masked, unique (`bestand`)
ddas_bounds.py, xlsx_bounds.py  limits checked before the readers (docs/robustness.md)
ddas_json.py  DDAS Uitwisselmodel v1.0 JSON
shv_csv.py    legacy CSV exports
nazorg_xlsx.py aftercare workbooks
reasons.py    quarantine reason texts
dagster_assets.py  the thin Dagster wiring around them
"""
