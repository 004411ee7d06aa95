"""The records behind an indicator's figure, on the web: who sees which records, the donor's
aggregates-only note, the 404s, the audit of a sensitive programme's records, and the pages.

Built on `reached` (tests/test_reports_reach.py): with its phases, RRK's direct beneficiaries are
Agim and Drita (H-KL-1), Nexhmije and Ilir (H-DR-1) and Dragan (H-RS-1), five persons.
"""

import datetime

import pytest

from activities.models import Activity, CommunityProject
from assistance.actions import record_delivery
from audit.models import AuditEntry
from programmes.models import Programme
from reports.actions import create_indicator, create_result, record_manual_value
from reports.models import Indicator, Result
from tests.conftest import make_user
from tests.test_api_client import ApiClient
from tests.test_reports_indicators import indicator, records  # noqa: F401 (the fixture)
from tests.test_reports_reach import kind, member, reached  # noqa: F401 (the fixture)

PAGE = "/programmes/RRK/results/P1/records/"


def framework(world, programme, code, measure, acting_user=None):
    acting_user = acting_user or world.ada
    goal = create_result(Result(programme=programme, level="goal", code="1", statement="Sustainable return"),
                         acting_user=acting_user)
    return create_indicator(Indicator(result=goal, code=code, name="Persons assisted", unit="persons",
                                      measure=measure), acting_user=acting_user)


@pytest.fixture
def assisted(reached):
    reached.indicator = framework(reached, reached.rrk, "P1", "persons_assisted")
    return reached


def page(client, user, path=PAGE, **params):
    client.force_login(user)
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.content.decode()


def person_link(person):
    return f'<a href="/persons/{person.pk}/">{person.ref}</a>'


def test_it_lists_the_persons_behind_the_figure_with_links(client, assisted):
    w = assisted
    html = page(client, w.ada)
    assert "P1 Persons assisted" in html and "<strong>5</strong> persons" in html
    for household, given in ((w.h_kline, "Agim"), (w.h_kline, "Drita"), (w.h_dragash, "Nexhmije"),
                             (w.h_dragash, "Ilir"), (w.h_serbia, "Dragan")):
        person = member(household, given)
        assert person_link(person) in html and person.full_name() in html
        assert f'<a href="/households/{household.pk}/">{household.ref}</a>' in html
    assert "in your scope" not in html  # an admin sees every one of them


def test_a_manager_sees_the_figure_and_those_of_it_in_their_scope(client, assisted):
    w = assisted
    html = page(client, w.marko)  # Marko sees the households enrolled in RRK: H-KL-1 only
    assert "<strong>5</strong> persons" in html
    assert person_link(member(w.h_kline, "Agim")) in html and person_link(member(w.h_kline, "Drita")) in html
    assert "Nexhmije" not in html and "Dragan" not in html
    assert "5 records lie behind this figure; 2 of them are in your scope." in html


def test_a_caseworker_sees_only_the_persons_of_their_households(client, assisted):
    w = assisted
    html = page(client, w.klara)
    # A caseworker's figures count their own households (as on the results page): 2 of 2.
    assert "<strong>2</strong> persons" in html and "in your scope" not in html
    assert person_link(member(w.h_kline, "Agim")) in html and person_link(member(w.h_kline, "Drita")) in html
    assert "Nexhmije" not in html and "H-DR-1" not in html and "Dragan" not in html
    html = page(client, w.drita)
    assert "<strong>2</strong> persons" in html and "Nexhmije" in html and "Agim" not in html


def test_a_donor_reads_the_figure_and_that_the_records_are_aggregates_only(client, assisted):
    w = assisted
    html = page(client, w.dona)
    assert "<strong>5</strong> persons" in html
    assert "Aggregates only" in html
    assert "/persons/" not in html and "Krasniqi" not in html and "H-KL-1" not in html


def test_a_period_narrows_the_figure_and_its_records(client, assisted):
    w = assisted
    # Up to 30 April 2024 only Dragan's return package (1 March) had been delivered.
    html = page(client, w.ada, period_start="2024-01-01", period_end="2024-04-30")
    assert "<strong>1</strong> persons" in html and "from 2024-01-01 to 2024-04-30" in html
    assert person_link(member(w.h_serbia, "Dragan")) in html and "Agim" not in html
    html = page(client, w.ada, period_start="2024-05-01", period_end="2024-04-30", date="30.06.2024")
    assert 'data-field="period_end"' in html and 'data-field="date"' in html  # named, not a 500
    assert "<strong>5</strong> persons" in html


def test_an_unknown_or_unreadable_indicator_is_not_found(client, assisted):
    w = assisted
    other = Programme.objects.create(code="MDP", name="Migration and diaspora")
    framework(w, other, "X1", "persons_assisted")
    client.force_login(w.ada)
    assert client.get("/programmes/RRK/results/X1/records/").status_code == 404  # another programme's code
    assert client.get("/programmes/MDP/results/X1/records/").status_code == 200
    assert client.get("/programmes/RRK/results/NOPE/records/").status_code == 404
    assert client.get("/programmes/NOPE/results/P1/records/").status_code == 404
    client.force_login(w.dona)
    assert client.get("/programmes/MDP/results/X1/records/").status_code == 404  # not funded by her donor
    client.logout()
    assert client.get(PAGE).status_code == 302  # to the login page


@pytest.fixture
def sensitive(world):
    """CT (sensitive) with an indicator over the assistance Mimoza (H-KL-2) received."""
    w = world
    w.mimoza = w.h_sensitive.members.get()
    record_delivery(acting_user=w.sara, programme=w.ct, type=kind("psychosocial_support"), person=w.mimoza,
                    date=datetime.date(2024, 5, 1), status="delivered")
    # A sensitive programme's framework is built by someone cleared for sensitive data.
    w.indicator = framework(w, w.ct, "C1", "persons_assisted", acting_user=make_user("sam", "admin", sensitive=True))
    return w


def views(user, model):
    return AuditEntry.objects.filter(actor=user, action="view", model=model)


def test_opening_a_sensitive_programmes_records_is_audited(client, sensitive):
    w = sensitive
    client.force_login(w.klara)
    assert client.get("/programmes/CT/results/C1/records/").status_code == 404  # not cleared
    html = page(client, w.sara, "/programmes/CT/results/C1/records/")
    assert person_link(w.mimoza) in html
    opened = views(w.sara, "reports.indicator").get()
    assert (opened.object_id, opened.sensitive, opened.via) == (str(w.indicator.pk), True, "web")
    listed = views(w.sara, "registry.person").get()
    assert (listed.object_id, listed.household_id, listed.sensitive) == (str(w.mimoza.pk), w.h_sensitive.pk, True)


def test_the_api_audits_a_sensitive_programmes_records_too(sensitive, token_for):
    w = sensitive
    response = ApiClient(token_for(w.sara)).get("/programmes/CT/results/C1/records")
    assert response.status_code == 200, response.content
    assert [item["ref"] for item in response.json()["items"]] == [w.mimoza.ref]
    assert views(w.sara, "reports.indicator").get().via == "api"
    assert views(w.sara, "registry.person").get().object_id == str(w.mimoza.pk)


def test_records_of_an_ordinary_programme_are_not_audited(client, assisted, token_for):
    page(client, assisted.ada)
    assert ApiClient(token_for(assisted.ada)).get("/programmes/RRK/results/P1/records").json()["count"] == 5
    assert not AuditEntry.objects.filter(action="view").exists()


def test_the_records_come_in_pages(client, assisted, settings):
    settings.HOMEWARD_PAGE_SIZE = 2
    w = assisted
    pages = [page(client, w.ada, date="2026-01-01", page=n) for n in (1, 2, 3)]
    assert "Page 1 of 3" in pages[0] and "?date=2026-01-01&amp;page=2" in pages[0]
    assert [html.count('<a href="/persons/') for html in pages] == [4, 4, 2]  # ref and name of each person
    everyone = [member(w.h_kline, "Agim"), member(w.h_kline, "Drita"), member(w.h_dragash, "Nexhmije"),
                member(w.h_dragash, "Ilir"), member(w.h_serbia, "Dragan")]
    assert sorted(sum(person_link(p) in html for html in pages) for p in everyone) == [1] * 5  # each once


def test_the_dashboard_links_each_actual_to_its_records(client, assisted):
    html = page(client, assisted.marko, "/programmes/RRK/dashboard/", date="2026-01-01")
    assert '<a href="/programmes/RRK/results/P1/records/?date=2026-01-01&amp;phases=1">5</a>' in html


def test_every_kind_of_record_has_its_row_and_link(client, records):
    w = records
    houses = indicator(w, "houses_handed_over")
    referrals = indicator(w, "referrals_completed")
    operating = indicator(w, "businesses_operating")
    visited = indicator(w, "businesses_followed_up")
    share = indicator(w, "ratio", code="R", unit="%", numerator=operating, denominator=visited)
    meetings = indicator(w, "activity_participants", activity_types=["information_meeting"])
    projects = indicator(w, "catchment_population")
    value = indicator(w, "value_eur", types=["house_construction", "house_reconstruction"], unit="EUR")
    households = indicator(w, "households_assisted", types=["income_generation_grant"])
    plans = indicator(w, "manual")
    record_manual_value(plans, datetime.date(2024, 1, 1), datetime.date(2024, 6, 30), 2, "Minutes of assemblies",
                        acting_user=w.marko)
    house = w.h_kline.deliveries.get(type__code="house_construction")
    dragan_referral = w.h_serbia.deliveries.get(type__code="referral")
    dragash_grant = w.h_dragash.deliveries.get(type__code="income_generation_grant")
    meeting = Activity.objects.get(type="information_meeting")
    road, school = (CommunityProject.objects.get(type=t) for t in ("road", "school"))
    expected = {
        houses: [f'<a href="/assistance/{house.pk}/">', f'<a href="/households/{w.h_kline.pk}/">H-KL-1</a> · Agim'],
        referrals: [f'<a href="/assistance/{dragan_referral.pk}/">', "Dragan Petrović"],
        share: ["A ratio: the records listed are those of its numerator",
                f'<a href="/assistance/{dragash_grant.pk}/">'],
        meetings: [f'<a href="/activities/{meeting.pk}/">{meeting.title}</a>', "<strong>17</strong>"],
        projects: [f'<a href="/projects/{road.pk}/">road</a>', f'<a href="/projects/{school.pk}/">school</a>',
                   "<strong>1320</strong>"],
        value: ["<strong>42500</strong> EUR", "24500.00", "18000.00"],
        households: [f'<a href="/households/{w.h_kline.pk}/">H-KL-1</a>', "Besa Morina"],
        plans: ["2024-01-01 – 2024-06-30", "Minutes of assemblies"],
    }
    for found, snippets in expected.items():
        html = page(client, w.ada, f"/programmes/RRK/results/{found.code}/records/", date="2025-06-30")
        for snippet in snippets:
            assert snippet in html, (found.code, snippet)


def test_listing_medical_help_is_audited_in_any_programme(client, reached):
    w = reached
    w.ada.sensitive = True  # only a user cleared for it defines an indicator over medical help
    w.ada.save()
    agim = member(w.h_kline, "Agim")
    delivery, _warnings = record_delivery(acting_user=w.sara, programme=w.rrk6, type=kind("medical_assistance"),
                                          person=agim, date=datetime.date(2024, 5, 1), status="delivered")
    create_indicator(Indicator(result=create_result(Result(programme=w.rrk, level="goal", code="1", statement="Health"),
                                                    acting_user=w.ada),
                               code="M1", name="Medical help", unit="deliveries", measure="deliveries"),
                     assistance_types=[kind("medical_assistance")], acting_user=w.ada)
    html = page(client, w.sara, "/programmes/RRK/results/M1/records/")
    assert f'<a href="/assistance/{delivery.pk}/">' in html
    assert views(w.sara, "assistance.delivery").get().object_id == str(delivery.pk)
    assert views(w.sara, "reports.indicator").exists()


def test_listing_the_persons_behind_an_indicator_of_medical_help_is_audited(client, reached):
    w = reached
    w.ada.sensitive = True
    w.ada.save()
    agim = member(w.h_kline, "Agim")
    record_delivery(acting_user=w.sara, programme=w.rrk6, type=kind("medical_assistance"), person=agim,
                    date=datetime.date(2024, 5, 1), status="delivered")
    create_indicator(Indicator(result=create_result(Result(programme=w.rrk, level="goal", code="1", statement="Health"),
                                                    acting_user=w.ada),
                               code="M2", name="Persons given medical help", unit="persons",
                               measure="persons_assisted"),
                     assistance_types=[kind("medical_assistance")], acting_user=w.ada)
    html = page(client, w.sara, "/programmes/RRK/results/M2/records/")
    assert f'<a href="/persons/{agim.pk}/">' in html
    assert views(w.sara, "registry.person").filter(object_id=str(agim.pk)).exists()


def test_the_results_page_links_each_actual_to_its_records(client, assisted):
    html = page(client, assisted.marko, "/programmes/RRK/results/")
    assert 'href="/programmes/RRK/results/P1/records/?date=' in html


def test_a_donor_sees_a_manual_value_but_not_its_evidence(client, records, token_for):
    from tests.test_api_client import ApiClient

    w = records
    plans = indicator(w, "manual")
    record_manual_value(plans, datetime.date(2024, 1, 1), datetime.date(2024, 6, 30), 2,
                        "Minutes signed by Agim Krasniqi", acting_user=w.marko)
    path = f"/programmes/RRK/results/{plans.code}/records/"
    assert "Minutes signed by Agim Krasniqi" in page(client, w.marko, path)
    assert "Minutes signed by Agim Krasniqi" not in page(client, w.dona, path)
    client.force_login(w.dona)
    assert "Minutes signed" not in client.get("/programmes/RRK/framework/").content.decode()
    items = ApiClient(token_for(w.dona)).get(f"/programmes/RRK/results/{plans.code}/records").json()["items"]
    assert items and all("evidence" not in item for item in items)
