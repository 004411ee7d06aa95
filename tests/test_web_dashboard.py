"""The programme dashboard (targets against actuals, reach on a map, news in brief) and the
overview of all programmes: what a manager, a donor and a caseworker read there."""

import datetime
import re
from decimal import Decimal

import pytest

from assistance.actions import record_delivery
from assistance.models import AssistanceType
from places.models import Municipality
from places.seats import KOSOVO, SEATS, inside
from programmes.models import Programme
from reports.actions import create_indicator, create_result, set_target
from reports.models import Indicator, Result

DAY = datetime.date(2026, 3, 1)
REPORT = {"date": "2026-06-30"}


def deliver(world, household, programme=None, code="food_package"):
    record_delivery(acting_user=world.ada, programme=programme or world.rrk6,
                    type=AssistanceType.objects.get(code=code), household=household, date=DAY, status="delivered")


@pytest.fixture
def fed(world):
    deliver(world, world.h_kline)      # 3 persons in Klinë
    deliver(world, world.h_dragash)    # 2 persons in Dragash
    return world


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, {**REPORT, **params})
    assert response.status_code == 200
    return response.content.decode()


def bubble_radius(html, code):
    found = re.search(rf'data-municipality="{code}" cx="[\d.]+" cy="[\d.]+" r="([\d.]+)"', html)
    return float(found.group(1)) if found else None


def test_it_puts_every_municipal_seat_inside_kosovo(db):
    municipalities = list(Municipality.objects.all())
    assert len(municipalities) == 38
    for municipality in municipalities:
        assert municipality.code in SEATS, municipality
        assert inside(*SEATS[municipality.code], box=KOSOVO), municipality
    # Klina lies west of Prishtina and north of Prizren.
    assert SEATS["M18"][1] < SEATS["M01"][1] and SEATS["M18"][0] > SEATS["M23"][0]


def test_the_map_shows_klina_with_its_direct_beneficiaries(client, fed):
    html = page(client, fed.marko, "/programmes/RRK/dashboard/")
    assert "<title>Klinë/Klina: 3 direct</title>" in html
    assert "<title>Dragash/Dragaš: 2 direct</title>" in html
    # Area proportional to the direct beneficiaries: radius by the square root.
    ratio = bubble_radius(html, "M18") / bubble_radius(html, "M24")
    assert ratio == pytest.approx((3 / 2) ** 0.5, abs=0.01)
    # The table under the map says the same, and the headline counts both families.
    assert '<th scope="row">Klinë/Klina</th>\n<td class="n">1</td><td class="n">3</td>' in html
    assert re.search(r"<strong><a [^>]*>5</a></strong> direct beneficiaries", html)


def test_it_filters_the_period_and_the_phases(client, fed):
    html = page(client, fed.marko, "/programmes/RRK/dashboard/", date="2026-02-28")
    assert re.search(r"<strong><a [^>]*>0</a></strong> direct beneficiaries", html)
    html = page(client, fed.marko, "/programmes/RRK/dashboard/", phases="0")
    assert re.search(r"<strong><a [^>]*>0</a></strong> direct beneficiaries", html)
    html = page(client, fed.marko, "/programmes/RRK/dashboard/", since="2026-03-02")
    assert re.search(r"<strong><a [^>]*>0</a></strong> direct beneficiaries", html)
    # Quick links to this year, last year and all time keep the phases choice.
    year = datetime.date.today().year
    assert f"since={year - 1}-01-01&amp;date={year - 1}-12-31&amp;phases=0" in page(
        client, fed.marko, "/programmes/RRK/dashboard/", phases="0")


def test_a_bad_date_is_named_not_a_crash(client, fed):
    html = page(client, fed.marko, "/programmes/RRK/dashboard/", date="30/06/2026", news_lang="fr")
    assert "Report date: Enter a date as YYYY-MM-DD" in html
    assert "news_lang: One of: en, sq, sr-latn, sr." in html


def test_a_donor_sees_small_cells_suppressed(client, fed):
    html = page(client, fed.dona, "/programmes/RRK/dashboard/")
    assert "Figures under 5 persons are not shown, nor the figures from which they could be worked out." in html
    assert "<title>Klinë/Klina: not shown</title>" in html
    assert "3 direct" not in html and "2 direct" not in html
    # Its place is marked without a size that would tell the number.
    assert 'class="bubble suppressed" data-municipality="M18"' in html


def test_a_caseworker_sees_only_their_scope(client, fed):
    html = page(client, fed.klara, "/programmes/RRK/dashboard/")
    assert "<title>Klinë/Klina: 3 direct</title>" in html
    assert "Dragash/Dragaš: 2 direct" not in html
    assert re.search(r"<strong><a [^>]*>3</a></strong> direct beneficiaries", html)


def test_a_programme_out_of_reach_is_not_found(client, world):
    Programme.objects.create(code="UK-VARRP", name="UK voluntary return")
    client.force_login(world.klara)
    assert client.get("/programmes/CT/dashboard/").status_code == 404  # sensitive, klara not cleared
    assert client.get("/programmes/NOPE/dashboard/").status_code == 404
    client.force_login(world.dona)
    assert client.get("/programmes/UK-VARRP/dashboard/").status_code == 404  # not funded by her
    assert client.get("/programmes/CT/dashboard/").status_code == 404
    client.force_login(world.sara)
    assert client.get("/programmes/CT/dashboard/").status_code == 200


def test_an_indicator_is_charted_against_its_target(client, fed):
    goal = create_result(Result(programme=fed.rrk, level="goal", code="1", statement="Sustainable return"),
                         acting_user=fed.marko)
    households = create_indicator(Indicator(programme=fed.rrk, result=goal, code="1.a", name="Households assisted",
                                            unit="households", measure="households_assisted"), acting_user=fed.marko)
    persons = create_indicator(Indicator(programme=fed.rrk, result=goal, code="1.b", name="Persons assisted",
                                         unit="persons", measure="persons_assisted"), acting_user=fed.marko)
    set_target(households, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), Decimal(4), acting_user=fed.marko)
    set_target(persons, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), Decimal(5), acting_user=fed.marko)
    html = page(client, fed.marko, "/programmes/RRK/dashboard/")
    assert "1.a Households assisted" in html and "2 / 4 (50%)" in html
    assert '<rect class="actual" x="0" y="1" width="50.0"' in html
    # 5 persons against a target of 5: on track; 2 households of 4 are not.
    assert "1 of 2 indicators with a target for this period are on track." in html
    html = page(client, fed.marko, "/reports/")
    assert re.search(r'<td class="n"><a href="/programmes/RRK/dashboard/\?[^"]*#framework">1 / 2</a></td>', html)


def test_the_overview_counts_a_person_in_two_programmes_once(client, fed):
    other = Programme.objects.create(code="MDP", name="Migration and diaspora")
    deliver(fed, fed.h_kline, programme=other)  # the Krasniqis again: 3 persons already counted in RRK
    html = page(client, fed.marko, "/reports/")
    rows = re.findall(r'<th scope="row"><a href="/programmes/([\w-]+)/">.*?</th>\n'
                      r'<td class="n"><a [^>]*>(\d+)</a></td><td class="n"><a [^>]*>(\d+)</a></td>', html)
    assert rows == [("MDP", "1", "3"), ("RRK", "2", "5")]
    # Not 8: each person once across the programmes.
    assert '<td class="n">2</td><td class="n">5</td><td class="n">0</td>' in html
    # Phases are rows of their programme, and the sensitive programme is not listed for a manager not cleared.
    assert "/programmes/RRK-VI/" not in html and "/programmes/CT/" not in html
    assert '/programmes/RRK/dashboard/?date=2026-06-30&amp;phases=1' in html


def test_the_overview_shows_a_donor_only_what_she_funds_with_small_cells_hidden(client, fed):
    Programme.objects.create(code="MDP", name="Migration and diaspora")
    html = page(client, fed.dona, "/reports/")
    assert "/programmes/RRK/dashboard/" in html
    assert "/programmes/MDP/" not in html and "/programmes/CT/" not in html
    # Two households: a small cell, hidden in her row and in the total.
    assert html.count("not shown") == 2


def test_the_news_in_brief_switches_language(client, fed):
    html = page(client, fed.marko, "/programmes/RRK/dashboard/")
    assert ("<blockquote lang=\"en\">Up to 30 June 2026, the RRK programme “EU Return and Reintegration in Kosovo” "
            "assisted 5 individuals directly, in 2 households.") in html
    assert "The programme also made 2 other deliveries of assistance: food package (2)." in html
    html = page(client, fed.marko, "/programmes/RRK/dashboard/", news_lang="sq")
    assert '<blockquote lang="sq">Deri më 30 qershor 2026, programi RRK' in html
    html = page(client, fed.marko, "/programmes/RRK/dashboard/", news_lang="sr")
    assert '<blockquote lang="sr-Cyrl">До 30. јуна 2026., програм RRK' in html
    assert "директно помогао 5 особа, у 2 домаћинства." in html


def test_the_map_keeps_svg_numbers_and_serbian_news_in_the_serbian_interface(client, fed):
    fed.marko.language = "sr-latn"
    fed.marko.save(update_fields=["language"])
    html = page(client, fed.marko, "/programmes/RRK/dashboard/")
    # A decimal comma would break the drawing: SVG numbers are never localised.
    assert bubble_radius(html, "M18") == pytest.approx(30.0)
    assert re.search(r'<circle cx="\d+(\.\d)?" cy="\d+(\.\d)?" r="2"', html)
    # The news in brief opens in the interface's language.
    assert '<blockquote lang="sr-Latn">Do 30. juna 2026., program RRK' in html


def test_a_donors_overview_hides_the_total_when_a_programme_row_is_hidden(client, fed):
    from tests.conftest import make_household

    mdp = Programme.objects.create(code="MDP", name="Migration and diaspora")
    fed.dona.programmes.add(mdp)
    for n in range(6):
        household = make_household(f"H-MDP-{n}", responsible=fed.kline, current_municipality=fed.kline, members=[
            ("Arta", "Hoti", "F", "head", 1980), ("Blerim", "Hoti", "M", "spouse", 1978)])
        deliver(fed, household, programme=mdp)
    html = page(client, fed.dona, "/reports/")
    # MDP (6 households, 12 persons) is shown; RRK (2 households) is hidden, and so is the total,
    # which less MDP's row would give RRK's away.
    assert re.search(r'/programmes/MDP/">.*?</th>\n<td class="n"><a [^>]*>6</a></td>', html)
    assert "<td class=\"n\">8</td>" not in html and ">17<" not in html


def test_a_donors_news_in_brief_leaves_out_small_counts(client, fed):
    html = page(client, fed.dona, "/programmes/RRK/dashboard/")
    # Two food packages: a manager reads them, a donor does not.
    assert "food package (2)" not in html
    assert "food package (2)" in page(client, fed.marko, "/programmes/RRK/dashboard/")
