"""Admin: cash (filled in by its owner)."""
