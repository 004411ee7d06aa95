"""Results frameworks, indicators and their targets; reach is computed, not stored."""
