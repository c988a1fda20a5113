"""Relapse and aftercare indicators (contract: spec/indicators.md).

`compute_indicators` is the pure entry point; `views` derives the analyst tables.
"""
from assets.indicators.table import compute_indicators, indicator_counts

__all__ = ["compute_indicators", "indicator_counts"]
