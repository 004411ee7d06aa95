"""Users, credentials and search terms for the load test, written as JSON for bench/run.py.

Two users: a caseworker scoped to the eight municipalities of the Prishtina district (a regional
office, so every search also runs the scoping filter) and an admin (no scoping filter, so searches
return the most rows). Each gets an API token and a logged-in session. The session is created
directly in the session store rather than through the login form: the benchmark measures
searching, not logging in.

Search terms are drawn from the generated persons, in the ways people type them: the family name as
written, given and family name, without diacritics, in the other script, a short prefix ("kras"),
and now and then a household ref.
"""

import argparse
import json
import os
import random
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from importlib import import_module  # noqa: E402

from accounts.models import ApiToken, User  # noqa: E402
from homeward.text import strip_diacritics, to_cyrillic, to_latin  # noqa: E402
from places.models import Municipality  # noqa: E402
from registry.models import Person  # noqa: E402

CASEWORKER_DISTRICT = "D1"  # Prishtina district: M01..M08
CYRILLIC = set("абвгдђежзијклмнопрстћуфхцчџшАБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧЏШљњЉЊ")
SERBIAN_LETTERS = set("čćđšžČĆĐŠŽ")

# How often each kind of search is typed (kind → weight).
KINDS = {"family": 25, "full": 25, "plain": 15, "script": 15, "prefix": 15, "ref": 5}


def session_for(user):
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def make_user(username, role, municipalities=()):
    user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    user.role = role
    user.set_password("bench-password-not-secret")
    user.save()
    user.municipalities.set(municipalities)
    return user


def is_cyrillic(text):
    return any(c in CYRILLIC for c in text)


def other_script(text):
    """Serbian-looking Latin names in Cyrillic, Cyrillic names in Latin, as a clerk with the
    other keyboard types them; Albanian names stay (nobody writes Krasniqi in Cyrillic)."""
    if is_cyrillic(text):
        return to_latin(text)
    if any(c in SERBIAN_LETTERS for c in text) or text.endswith("ić"):
        return to_cyrillic(text)
    return strip_diacritics(text)


def term(kind, person, rng):
    given, family = person["given_name"], person["family_name"]
    if kind == "family":
        return family
    if kind == "full":
        return f"{given} {family}"
    if kind == "plain":
        return strip_diacritics(to_latin(f"{given} {family}"))
    if kind == "script":
        return f"{other_script(given)} {other_script(family)}"
    if kind == "prefix":
        word = strip_diacritics(to_latin(family if rng.random() < 0.7 else given)).lower()
        return word[: rng.randint(3, 5)]
    return person["household__ref"]


def search_terms(count, seed):
    rng = random.Random(seed)
    bounds = Person.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    picked = set()
    while len(picked) < min(count, Person.objects.count()):
        picked.add(rng.randint(bounds["lo"], bounds["hi"]))
    persons = list(Person.objects.filter(pk__in=picked)
                   .values("given_name", "family_name", "household__ref").order_by("pk"))
    kinds = list(KINDS)
    weights = [KINDS[k] for k in kinds]
    terms = []
    for person in persons:
        kind = rng.choices(kinds, weights)[0]
        terms.append({"kind": kind, "q": term(kind, person, rng)})
    return terms


def prepare(count=600, seed=7):
    region = Municipality.objects.filter(district__code=CASEWORKER_DISTRICT)
    caseworker = make_user("bench-caseworker", "caseworker", region)
    admin = make_user("bench-admin", "admin")
    return {
        "users": {
            "caseworker": {"token": ApiToken.issue(caseworker, "bench"), "session": session_for(caseworker),
                           "scope": sorted(m.code for m in region)},
            "admin": {"token": ApiToken.issue(admin, "bench"), "session": session_for(admin), "scope": "all"},
        },
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "terms": search_terms(count, seed),
    }


def main():
    parser = argparse.ArgumentParser(description="Users, credentials and search terms for the load test.")
    parser.add_argument("--output", required=True)
    parser.add_argument("--terms", type=int, default=600)
    args = parser.parse_args()
    Path(args.output).write_text(json.dumps(prepare(args.terms), ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
