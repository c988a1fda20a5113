"""Building blocks shared by every stage: BSN, dates, reference data, parquet output."""
