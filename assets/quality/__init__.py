"""Quality tables: the ledger, the quarantine and the schema findings, gathered per kind."""
