"""Portal configurations in the admin."""
