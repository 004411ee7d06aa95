"""A page of search results is read as plain rows (api.households.households_page_json and
web.views._list_rows): it must still show what the record itself shows, to whom it may be shown."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.households import HouseholdPage
from audit.models import AuditEntry
from programmes.models import Enrolment
from registry.models import Household, VulnerabilityCategory
from tests.conftest import make_household
from tests.test_api_client import ApiClient


@pytest.fixture
def detailed(world):
    """The world with the fields a list leaves out when it goes wrong: a full date of birth, a
    father's name, a member without community, visible and sensitive vulnerabilities, two
    enrolments, an organisation and an origin."""
    h = world.h_kline
    h.accommodation, h.phone, h.origin_place, h.current_place = "rented", "044 111 222", "Drsnik", "Qendra"
    h.origin_municipality, h.responsible_organisation = world.lipjan, world.iom
    h.save()
    head = h.members.get(relationship="head")
    head.date_of_birth, head.father_name, head.phone, head.community = datetime.date(1970, 3, 4), "Ymer", "049", None
    head.save()
    for code in ("female_headed", "disability", "elderly_alone"):
        head.vulnerability_records.create(category=VulnerabilityCategory.objects.get(code=code))
    Enrolment.objects.create(household=h, programme=world.ct, status="selected")
    return world


@pytest.mark.parametrize("name", ["ada", "klara", "sara", "petar", "mira"])
def test_it_lists_each_household_as_its_own_record_shows_it(detailed, token_for, name):
    api = ApiClient(token_for(getattr(detailed, name)))
    body = api.get("/households").json()
    assert body["items"]
    for item in body["items"]:
        assert item == api.get(f"/households/{item['id']}").json()
    # The page is answered without ninja validating it: it must still be what the schema says.
    assert HouseholdPage.model_validate(body).model_dump() == body


def test_it_shows_sensitive_vulnerabilities_and_enrolments_in_the_list_only_to_cleared_users(detailed, token_for):
    def listed(user):
        item = ApiClient(token_for(user)).get("/households", q="H-KL-1").json()["items"][0]
        return item["members"][0]["vulnerabilities"], [e["programme"] for e in item["enrolments"]]

    assert listed(detailed.klara) == (["elderly_alone", "female_headed"], ["RRK-VI"])
    vulnerabilities, programmes = listed(detailed.sara)
    assert vulnerabilities == ["disability", "elderly_alone", "female_headed"]
    assert sorted(programmes) == ["CT", "RRK-VI"]


def test_it_audits_each_listed_household_that_shows_the_user_sensitive_data(detailed, token_for):
    ApiClient(token_for(detailed.sara)).get("/households")
    views = AuditEntry.objects.filter(action="view", actor=detailed.sara)
    assert sorted((v.model, v.object_repr, v.household_id, v.sensitive, v.via) for v in views) == [
        ("registry.household", "H-KL-1", detailed.h_kline.pk, True, "api"),
        ("registry.household", "H-KL-2", detailed.h_sensitive.pk, True, "api"),
    ]
    ApiClient(token_for(detailed.klara)).get("/households")
    assert not AuditEntry.objects.filter(action="view", actor=detailed.klara).exists()


def test_it_pages_the_list_in_the_order_of_the_newest_first(world, token_for):
    for i in range(5):
        make_household(f"H-NEW-{i}", responsible=world.kline, members=[("Ana", "Gashi", "F", "head", 1990)])
    api = ApiClient(token_for(world.ada))
    everything = [h["ref"] for h in api.get("/households", limit=50).json()["items"]]
    assert everything[:5] == [f"H-NEW-{i}" for i in reversed(range(5))]
    pages = [api.get("/households", limit=3, offset=offset).json() for offset in (0, 3, 6, 9)]
    assert [h["ref"] for page in pages for h in page["items"]] == everything
    assert {page["count"] for page in pages} == {9}


def test_it_reads_a_page_in_the_same_number_of_queries_however_many_households_it_shows(world, token_for):
    for i in range(10):
        make_household(f"H-MANY-{i}", responsible=world.kline, members=[("Ana", "Gashi", "F", "head", 1990),
                                                                         ("Ben", "Gashi", "M", "child", 2015)])
    api = ApiClient(token_for(world.klara))  # not cleared for sensitive data: no audit rows to write
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/households", limit=1).json()["items"]) == 1
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/households", limit=12).json()["items"]) == 12
    assert len(many.captured_queries) == len(one.captured_queries)


def test_it_shows_head_size_place_and_visible_enrolments_in_the_list_page(client, detailed):
    client.force_login(detailed.klara)
    html = client.get("/households/").content.decode()
    assert '<a href="/households/%d/">Agim Krasniqi</a>' % detailed.h_kline.pk in html
    assert '<td class="n">3</td>' in html and "Klinë/Klina" in html
    assert '<span class="tag">RRK-VI: Applied</span>' in html and "CT:" not in html
    client.force_login(detailed.sara)
    assert '<span class="tag">CT: Selected</span>' in client.get("/households/").content.decode()
    client.force_login(detailed.ada)
    fragment = client.get("/households/", {"q": "petrovic"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<td>Serbia</td>" in fragment.content.decode() and "<html" not in fragment.content.decode()


def test_it_shows_place_names_and_statuses_in_the_users_language(client, detailed):
    detailed.klara.language = "sr"
    detailed.klara.save()
    client.force_login(detailed.klara)
    html = client.get("/households/", {"q": "krasniqi"}).content.decode()
    assert "Klinë/Клина" in html and "RRK-VI: Пријављен" in html


def test_it_keeps_the_chosen_filters_selected_on_the_list_page(client, detailed):
    client.force_login(detailed.ada)
    html = client.get("/households/", {"municipality": detailed.kline.pk, "programme": "rrk-vi",
                                       "status": "applied"}).content.decode()
    assert '<option value="M18" selected>Klinë/Klina</option>' in html
    assert '<option value="RRK-VI" selected>RRK-VI</option>' in html
    assert '<option value="applied" selected>' in html


def test_the_list_page_shows_a_household_without_members_once_and_empty(client, world):
    # Members and households are read in one query, a row per member: a household left without
    # members (its last member merged away) is one row without a member, not a missing household.
    world.h_dragash.members.all().delete()
    client.force_login(world.ada)
    page = client.get("/households/").context["page"]
    rows = {row["ref"]: row for row in page.object_list}
    assert len(page.object_list) == 4 and (rows["H-DR-1"]["size"], rows["H-DR-1"]["head"]) == (0, None)
    assert (rows["H-KL-1"]["size"], rows["H-KL-1"]["head"]) == (3, "Agim Krasniqi")


def test_the_api_lists_a_household_without_members_once_and_empty(world, token_for):
    world.h_dragash.members.all().delete()
    items = ApiClient(token_for(world.ada)).get("/households").json()["items"]
    assert [item["ref"] for item in items] == ["H-KL-2", "H-RS-1", "H-DR-1", "H-KL-1"]
    members = {item["ref"]: [m["given_name"] for m in item["members"]] for item in items}
    assert members["H-DR-1"] == [] and members["H-KL-1"] == ["Agim", "Drita", "Arben"]


def test_the_list_page_shows_names_and_references_with_markup_as_text(client, world):
    make_household('H-<i>&"', responsible=world.kline, current_municipality=world.kline,
                   members=[("<script>alert(1)</script>", "O'Brien & <b>Sons</b>", "M", "head", 1980)])
    client.force_login(world.ada)
    html = client.get("/households/").content.decode()
    assert "<script>alert" not in html and "<b>Sons" not in html and "H-<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; &lt;b&gt;Sons&lt;/b&gt;</a>" in html
    assert "H-&lt;i&gt;&amp;&quot;</a>" in html


@pytest.fixture
def fresh_reference():
    from places import models

    models._rows.clear()
    yield
    models._rows.clear()  # this test's municipality goes with its transaction


def test_a_page_shows_places_added_after_the_reference_data_was_read(world, token_for, fresh_reference):
    # The places' codes come from a map read once per process (places.models.reference); a key
    # it does not hold makes it read again, so a municipality added by a later migration shows.
    from places.models import District, Municipality

    api = ApiClient(token_for(world.ada))
    assert api.get("/households", q="H-KL-1").json()["items"][0]["current_municipality"] == "M18"
    new = Municipality.objects.create(code="M99", district=District.objects.first(), name_sq="Re", name_sq_definite="Reja",
                                      name_sr_latn="Novo", name_sr_cyrl="Ново")
    Household.objects.filter(pk=world.h_kline.pk).update(current_municipality=new)
    assert api.get("/households", q="H-KL-1").json()["items"][0]["current_municipality"] == "M99"
