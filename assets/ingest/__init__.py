"""Ingest: one module per delivery kind, each reading, validating and pseudonymising.

inventory.py  steps 1-2 of sources.md for every file (name pattern, duplicate hash)
ddas_json.py  DDAS Uitwisselmodel v1.0 JSON
shv_csv.py    legacy CSV exports
nazorg_xlsx.py aftercare workbooks
reasons.py    quarantine reason texts
dagster_assets.py  the thin Dagster wiring around them
"""
