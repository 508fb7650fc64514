"""viz wing."""
