"""Who is calling: a partner system with `Authorization: Bearer <token>`, or the browser UI with its
session cookie (and then a CSRF token on every write, as for any form)."""

from django.conf import settings
from django.utils import translation
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.objects.user_for(token)
        if user is not None:
            # The language middleware only knows session users; token callers read problem
            # details in the language of their profile too.
            translation.activate(user.language)
        return user


class BrowserSession(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        # A request that carries a token is judged by its token alone: a wrong token must not
        # fall back to whatever session the same browser happens to have.
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Only after we know the session is real, so an anonymous write gets 401, not 403.
        if check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken.")
        return user


def api_auth():
    return [BearerToken(), BrowserSession()]
