"""load stage of the briefgen pipeline."""
