from django.utils import translation


class UserLanguageMiddleware:
    """Each user reads the interface in the language chosen in their profile; before login,
    the browser's language (English, Albanian, Serbian Latin or Cyrillic) or ?lang=."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.GET.get("lang") or request.session.get("language")
        if not language:
            language = translation.get_language_from_request(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
        if language not in dict(translation.trans_real.get_languages()):
            language = "en"
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
