"""A list's page and its count read in one query (homeward.paging): every page and count must be
what counting apart gave, below, at and above the number of keys read at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homeward import paging
from registry.models import Household
from tests.conftest import make_household
from tests.test_api_client import ApiClient


@pytest.fixture
def krasniqi(world):
    # Six more Krasniqi families in Klinë: with H-KL-1, seven households a search for the name finds.
    for n in range(6):
        make_household(f"H-KL-{n + 10}", responsible=world.kline, current_municipality=world.kline,
                       members=[(f"Besnik{n}", "Krasniqi", "M", "head", 1980 + n)])
    return world


@pytest.mark.parametrize("at_once", [3, 7, 8, 500])
def test_every_page_and_the_count_are_the_same_however_many_are_read_at_once(krasniqi, token_for, monkeypatch,
                                                                          at_once):
    api = ApiClient(token_for(krasniqi.ada))
    expected = list(Household.objects.search("krasniqi").values_list("ref", flat=True))
    assert len(expected) == 7
    monkeypatch.setattr(paging, "AT_ONCE", at_once)
    for offset in range(0, 9):
        body = api.get("/households", q="krasniqi", limit=2, offset=offset).json()
        assert body["count"] == 7
        assert [h["ref"] for h in body["items"]] == expected[offset:offset + 2]


def test_the_list_page_pages_and_counts_the_same(krasniqi, client, monkeypatch, settings):
    monkeypatch.setattr(paging, "AT_ONCE", 3)
    settings.HOMEWARD_PAGE_SIZE = 2
    client.force_login(krasniqi.klara)
    expected = list(Household.objects.visible_to(krasniqi.klara).search("krasniqi").values_list("ref", flat=True))
    seen = []
    for number in (1, 2, 3, 4):
        page = client.get("/households/", {"q": "krasniqi", "page": number}).context["page"]
        assert page.paginator.count == 7
        seen += [row["ref"] for row in page.object_list]
    assert seen == expected


@pytest.mark.parametrize("at_once", [3, 500])
def test_a_search_finds_its_matches_once_for_the_page_and_the_count(krasniqi, token_for, monkeypatch, at_once):
    # With 7 matches, read at once (500) or not all of them (3): the first page and the count are one query.
    monkeypatch.setattr(paging, "AT_ONCE", at_once)
    api = ApiClient(token_for(krasniqi.klara))
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/households", q="krasniqi", limit=2).json()
    assert body["count"] == 7 and len(body["items"]) == 2
    searches = [q["sql"] for q in queries if "registry_persontoken" in q["sql"]]
    assert len(searches) == 1, searches
