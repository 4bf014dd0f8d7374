"""Reports built from stored forecast snapshots (heavy libraries are imported lazily)."""
