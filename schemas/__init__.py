"""Pandera models: one per source's raw records, the accepted records, the model and the outputs.

The models are the single description of each table: tests validate frames against
them and docs/data_dictionary.md is generated from them (`python -m schemas.dictionary`).
"""
