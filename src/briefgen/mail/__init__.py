"""mail stage of the briefgen pipeline."""
