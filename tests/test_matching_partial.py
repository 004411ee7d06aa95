"""The duplicate check on the registration form (an htmx partial): likely duplicates of the members
being entered, with links to their pages, only inside the user's scope."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from matching.keys import rebuild_keys
from matching.views import candidates_partial
from registry.models import Person


@pytest.fixture
def indexed(world):
    rebuild_keys()
    return world


def form(**members):
    """The registration form's fields: members={0: {...}, 1: {...}} as members-N-field."""
    data = {"members-TOTAL_FORMS": str(len(members)), "current_country": "XK"}
    for index, values in members.items():
        data.update({f"members-{index[1:]}-{k}": v for k, v in values.items()})
    return data


def check(user, data, method="post"):
    request = getattr(RequestFactory(), method)("/duplicates/", data, HTTP_HX_REQUEST="true")
    request.user = user
    return candidates_partial(request)


AGIM = {"given_name": "Агим", "family_name": "Краснићи", "sex": "M", "date_of_birth": "1970",
        "relationship": "head"}


def test_it_links_a_likely_duplicate_of_a_member_being_registered(indexed):
    agim = Person.objects.get(ref="H-KL-1-1")
    response = check(indexed.klara, {**form(m0=AGIM), "origin_municipality": str(indexed.kline.pk)})
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("web:person", args=[agim.pk]) in html
    assert "H-KL-1-1" in html and "likely the same person" in html


def test_it_checks_every_member_and_skips_removed_ones(indexed):
    drita = {"given_name": "Drita", "family_name": "Krasniqi", "sex": "F", "date_of_birth": "1975"}
    html = check(indexed.klara, form(m0=AGIM, m1=drita)).content.decode()
    assert reverse("web:person", args=[Person.objects.get(ref="H-KL-1-2").pk]) in html
    html = check(indexed.klara, form(m0=AGIM, m1={**drita, "DELETE": "on"})).content.decode()
    assert "H-KL-1-2" not in html and "H-KL-1-1" in html


def test_it_works_as_a_get_with_the_bare_field_names(indexed):
    html = check(indexed.klara, {"given_name": "Agim", "family_name": "Krasnici", "date_of_birth": "1970"},
                 method="get").content.decode()
    assert "H-KL-1-1" in html


def test_it_shows_nothing_of_a_match_outside_the_users_scope_but_the_notice(indexed):
    agim = Person.objects.get(ref="H-KL-1-1")
    html = check(indexed.drita, form(m0=AGIM)).content.decode()
    assert reverse("web:person", args=[agim.pk]) not in html
    assert "H-KL-1-1" not in html and "1970" not in html
    assert "data protection officer" in html


def test_it_is_empty_while_the_names_are_not_filled_in(indexed):
    assert check(indexed.klara, form(m0={"given_name": "Agim"})).content.decode().strip() == ""


def test_it_sends_an_anonymous_visitor_to_log_in(indexed):
    response = check(AnonymousUser(), form(m0=AGIM))
    assert response.status_code == 302 and "login" in response["Location"]
