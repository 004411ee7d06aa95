"""The review queue of duplicate candidates and merges over the API."""

from ninja import Router

router = Router(tags=["duplicates"])
