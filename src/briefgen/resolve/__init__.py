"""resolve stage of the briefgen pipeline."""
