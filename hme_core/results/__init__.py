"""Results stage: a year's published tables, ingest pipeline and exports."""
