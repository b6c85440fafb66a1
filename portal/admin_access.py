"""Portal users and sessions in the admin."""
