from django.contrib.auth import backends

from accounts.scope import active_user


class ModelBackend(backends.ModelBackend):
    """Django's, with a session's user read together with the user's scope (accounts.scope.active_user)."""

    def get_user(self, user_id):
        return active_user("pk", user_id)
