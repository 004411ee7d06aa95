"""Merges of duplicate persons and households, kept so that a manager can undo them."""
