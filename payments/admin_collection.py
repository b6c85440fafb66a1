"""Admin: collection (filled in by its owner)."""
