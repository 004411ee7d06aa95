"""Duplicate detection across scripts and spellings: comparison keys, candidates, scores."""
