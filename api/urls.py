import functools

from django.http import HttpResponseNotAllowed
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api.main import api
from api.problems import problem


@csrf_exempt
def unknown_path(request, rest=""):
    # Unknown paths under /api/v1/ answer a problem document too, not the web UI's HTML page.
    return problem(404, _("No such API path: %(p)s") % {"p": request.path})


def problem_for_wrong_method(view):
    """ninja answers a wrong method with a bare HTML 405; the contract wants a problem document."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            return problem(405, _("Use one of: %(m)s.") % {"m": allowed}, headers={"Allow": allowed})
        return response

    return wrapped


# Not unpacked into module names: Django reads a urlconf module's `app_name`.
api_urls = api.urls
for pattern in api_urls[0]:
    pattern.callback = problem_for_wrong_method(pattern.callback)

urlpatterns = [
    path("", api_urls),
    re_path(r"^(?P<rest>.*)$", unknown_path),
]
