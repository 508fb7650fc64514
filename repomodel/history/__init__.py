"""history wing."""
