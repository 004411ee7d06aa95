"""A list's page and its count read in one query (homeward.paging): every page and count must be
what counting apart gave, on every page and past the last one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def test_every_page_and_the_count_are_the_same_as_counting_apart(krasniqi, token_for):
    api = ApiClient(token_for(krasniqi.ada))
    expected = list(Household.objects.search("krasniqi").values_list("ref", flat=True))
    assert len(expected) == 7
    # Offsets 7 and 8 are past the last match: an empty page, and still the count.
    for offset in range(0, 9):
        body = api.get("/households", q="krasniqi", limit=2, offset=offset).json()
        assert body["count"] == 7
        assert [h["ref"] for h in body["items"]] == expected[offset:offset + 2]


def test_the_list_page_pages_and_counts_the_same(krasniqi, client, settings):
    settings.HOMEWARD_PAGE_SIZE = 2
    client.force_login(krasniqi.klara)
    expected = list(Household.objects.visible_to(krasniqi.klara).search("krasniqi").values_list("ref", flat=True))
    seen = []
    for number in (1, 2, 3, 4):
        page = client.get("/households/", {"q": "krasniqi", "page": number}).context["page"]
        assert page.paginator.count == 7
        seen += [row["ref"] for row in page.object_list]
    assert seen == expected
    # A page number past the end or not a number shows the last or the first page, as Django's paginator does.
    assert [row["ref"] for row in client.get("/households/", {"q": "krasniqi", "page": 9}).context["page"].object_list] == expected[6:]
    assert [row["ref"] for row in client.get("/households/", {"q": "krasniqi", "page": "x"}).context["page"].object_list] == expected[:2]


@pytest.mark.parametrize("offset", [0, 4])
def test_a_search_finds_its_matches_once_for_the_page_and_the_count(krasniqi, token_for, offset):
    api = ApiClient(token_for(krasniqi.klara))
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/households", q="krasniqi", limit=2, offset=offset).json()
    assert body["count"] == 7 and len(body["items"]) == 2
    searches = [q["sql"] for q in queries if "registry_householdtoken" in q["sql"]]
    assert len(searches) == 1, searches
