"""Background jobs: a queue in the database, run by `homeward worker`; no broker."""
