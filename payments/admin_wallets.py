"""Admin: wallets (filled in by its owner)."""
