"""build stage of the briefgen pipeline."""
