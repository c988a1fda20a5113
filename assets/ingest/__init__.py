"""Ingest: one reader module per delivery kind, each reading, validating and pseudonymising.

The kinds are registered in schemas/kinds.py (name, folder, name pattern, reader, record
model, authority); adding one is one entry there plus its reader module here.

inventory.py  steps 1-2 of sources.md for every entry (links, unreadable, name, duplicate hash)
names.py      how a file name is shown: digit runs masked, unique (`bestand`)
kinds.py      the registry as ingest uses it: each kind's reader, the order of reading
ddas_bounds.py, xlsx_bounds.py  limits checked before the readers (docs/robustness.md)
ddas_json.py  DDAS Uitwisselmodel v1.0 JSON (ddas_dates.py: its header dates; ddas_workers.py:
              its worker processes and file queue;
              ddas_schema_check.py: findings against the official JSON Schema)
shv_csv.py    legacy CSV exports
nazorg_xlsx.py aftercare workbooks
reasons.py    quarantine reason texts and rows
result.py     what a reader returns; ledger rows
dagster_assets.py  the thin Dagster wiring around them

Every reader names its steps alike: `decode…` (bytes or cells to the kind's raw model,
schemas/<kind>.py), `judge` (adds `reden_code`, null = accepted, and `detail`, the field
behind it), `accepted_records` (the record model, pseudonymised), then the shared
`reasons.quarantine` and `result.count_judged`.
"""
