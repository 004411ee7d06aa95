"""Background jobs: a queue in the database, run by `homeward worker`; no broker."""


def enqueue(kind, parameters, user):
    """Queue a job of `kind` (a key of jobs.kinds.KINDS) for the worker; returns the Job."""
    from jobs.runner import enqueue as _enqueue

    return _enqueue(kind, parameters, user)
