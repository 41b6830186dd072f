"""The DuckDB store: responses, org trees, head counts and results across years."""
