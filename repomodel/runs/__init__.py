"""runs wing."""
