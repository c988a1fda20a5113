"""Asset definitions of the DDAS pipeline, one folder per stage of the flow.

ingest/ (read, validate, pseudonymise, quarantine) -> harmonise/ (merge rule) ->
indicators/ (relapse and aftercare) ; quality/ gathers the ledger and quarantine.
Each stage keeps its pure polars functions beside a thin Dagster module.
"""
