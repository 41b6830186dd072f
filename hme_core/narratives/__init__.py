"""HR narratives and targets: files under params/ that no re-run overwrites."""
