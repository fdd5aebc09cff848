"""render stage of the briefgen pipeline."""
