"""Admin: refunds (filled in by its owner)."""
