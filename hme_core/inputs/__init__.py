"""Input stage: reading files, recognising columns, parsing responses, org trees, head counts and outcomes."""
