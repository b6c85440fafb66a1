"""wallets (filled in by its owner)."""


def register() -> None:
    """Journal handlers and clock hooks of this part, registered at start-up."""
