"""validate stage of the briefgen pipeline."""
