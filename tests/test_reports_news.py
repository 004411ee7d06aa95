"""News in brief: the paragraph a programme officer pastes into the newsletter, its numbers taken
from what was recorded, in English, Albanian and Serbian (Latin and Cyrillic)."""

import datetime

import pytest

from activities.actions import create_activity, create_project, transition_project
from activities.models import Activity, CommunityProject
from assistance.kinds import add_milestone, record_assistance
from assistance.models import MILESTONE_ORDER, AssistanceType, Milestone
from reports.news import news_in_brief
from reports.reach import Basis
from tests.conftest import make_household

DAY = datetime.date(2026, 3, 2)
YEAR = {"since": datetime.date(2026, 1, 1), "on": datetime.date(2026, 12, 31)}


def kind(code):
    return AssistanceType.objects.get(code=code)


def rebuild_house(world, household, *, moved_in=False):
    """A reconstructed house taken through every milestone to the hand-over (and the move)."""
    delivery, _ = record_assistance(acting_user=world.ada, programme=world.rrk6, household=household,
                                    type=kind("house_reconstruction"), date=DAY, status="delivered",
                                    detail={"municipality": "Klina", "site": "Dollc"})
    last = Milestone.FAMILY_MOVED_IN if moved_in else Milestone.HANDED_OVER
    for i, milestone in enumerate(MILESTONE_ORDER[:MILESTONE_ORDER.index(last) + 1]):
        add_milestone(delivery.housedetail, milestone, DAY + datetime.timedelta(days=10 * i), acting_user=world.ada)


def grant(world, household, sector):
    record_assistance(acting_user=world.ada, programme=world.rrk6, household=household,
                      type=kind("income_generation_grant"), date=DAY, status="delivered",
                      detail={"business_plan": "Carpentry workshop", "sector": sector})


def families(world, n):
    return [make_household(f"H-RAE-{i}", responsible=world.kline, current_municipality=world.kline,
                           members=[("Bekim", "Gashi", "M", "head", 1975), ("Shpresa", "Gashi", "F", "spouse", 1978)])
            for i in range(n)]


def news(world, language, user=None, programme=None, **period):
    programme = programme or world.rrk6
    basis = Basis.of(user or world.marko, programme, include_phases=True, **(period or YEAR))
    return news_in_brief(programme, basis, language)


@pytest.fixture
def klina_returns(world):
    """As in the newsletter: 30 houses reconstructed for 30 families in Klinë, 12 already moved
    in, and 30 income generation projects, ten production-based and 20 service-based."""
    households = families(world, 30)
    for i, household in enumerate(households):
        rebuild_house(world, household, moved_in=i < 12)
        grant(world, household, "production" if i < 10 else "service")
    return world


def test_it_says_30_houses_when_30_houses_were_handed_over(klina_returns):
    text = news(klina_returns, "en")
    assert text.startswith("In 2026, the RRK-VI programme “RRK sixth phase” assisted 60 individuals directly, "
                           "in 30 households.")
    assert "30 houses were reconstructed and handed over to 30 families." in text
    assert "12 families have already moved in." in text
    assert ("In addition, 30 income generation projects were implemented, including: 10 production-based and "
            "20 service-based.") in text


def test_it_leaves_out_the_sentences_whose_figure_is_zero(klina_returns):
    text = news(klina_returns, "en")
    # Nothing was built new, no activity held, no community project completed, no other assistance.
    assert "were built" not in text and "activit" not in text and "community project" not in text
    assert "other deliver" not in text
    # Everybody reached is direct: no "0 indirectly".
    assert "indirectly" not in text
    # Before any house was handed over (a year earlier) there is nothing to say at all.
    assert news(klina_returns, "en", since=datetime.date(2025, 1, 1), on=datetime.date(2025, 12, 31)) == ""


def test_albanian_and_serbian_carry_the_same_numbers(klina_returns):
    sq = news(klina_returns, "sq")
    assert sq.startswith("Në vitin 2026, programi RRK-VI „RRK sixth phase“ ndihmoi drejtpërdrejt 60 persona")
    assert "U rindërtuan dhe u dorëzuan 30 shtëpi për 30 familje." in sq
    assert ("u zbatuan 30 projekte për gjenerim të të ardhurave, përfshirë: 10 në prodhim dhe 20 në "
            "shërbime.") in sq
    latin = news(klina_returns, "sr-latn")
    assert latin.startswith("U 2026. godini, program RRK-VI „RRK sixth phase“ je direktno pomogao 60 osoba, "
                            "u 30 domaćinstava.")
    assert "Obnovljeno je i predato 30 kuća za 30 porodica." in latin
    assert "12 porodica se već uselilo." in latin
    assert ("realizovano je 30 projekata za ostvarivanje prihoda, uključujući: 10 u proizvodnji i 20 u "
            "uslužnim delatnostima.") in latin
    cyrillic = news(klina_returns, "sr")
    assert "Обновљено је и предато 30 кућа за 30 породица." in cyrillic
    # The programme's own code and name stay as written.
    assert "програм RRK-VI „RRK sixth phase“" in cyrillic


def test_serbian_and_albanian_agree_with_one_and_with_two_to_four(world):
    households = families(world, 2)
    for household in households:
        rebuild_house(world, household, moved_in=household is households[0])
    grant(world, households[0], "agriculture")
    latin = news(world, "sr-latn")
    assert "Obnovljene su i predate 2 kuće za 2 porodice." in latin
    assert "1 porodica se već uselila." in latin
    assert "Pored toga, realizovan je 1 projekat za ostvarivanje prihoda, uključujući: 1 u poljoprivredi." in latin
    assert "je direktno pomogao 4 osobe, u 2 domaćinstva." in latin
    sq = news(world, "sq")
    assert "1 familje është vendosur tashmë" in sq and "u zbatua 1 projekt" in sq
    en = news(world, "en")
    assert "1 family has already moved in." in en and "1 income generation project was implemented" in en


def test_it_reports_activities_projects_and_other_assistance_by_type(world):
    agim = world.h_kline.members.get(given_name="Agim")
    create_activity(Activity(programme=world.rrk6, type="training", title="Carpentry", date=DAY,
                             municipality=world.kline, participants_female=12, participants_male=10),
                    attendees=[agim.pk], acting_user=world.ada)
    project = create_project(CommunityProject(programme=world.rrk6, type="road", title="Road to Dollc",
                                              municipality=world.kline, catchment_population=450),
                             acting_user=world.ada)
    transition_project(project, "in_progress", acting_user=world.ada)
    transition_project(project, "completed", on=DAY, acting_user=world.ada)
    for household in (world.h_kline, world.h_dragash):
        record_assistance(acting_user=world.ada, programme=world.rrk6, household=household,
                          type=kind("food_package"), date=DAY, status="delivered")
    text = news(world, "en")
    assert "1 activity was held (training: 1), with 23 participants." in text
    assert "1 community project was completed (road: 1), serving 450 people." in text
    assert "The programme also made 2 other deliveries of assistance: food package (2)." in text
    assert "assisted 5 individuals directly, in 2 households." in text
    cyrillic = news(world, "sr")
    assert "Одржана је 1 активност (обука: 1), са 23 учесника." in cyrillic
    assert "Завршен је 1 пројекат у заједници (пут: 1), за 450 становника." in cyrillic


def test_a_donor_reads_no_reach_sentence_when_its_cells_are_small(world):
    households = families(world, 2)
    for household in households:
        rebuild_house(world, household)
    text = news(world, "en", user=world.dona)
    # 4 persons in 2 households: under 5, suppressed as on the results page; 2 houses for 2
    # families would point at them as surely.
    assert "individuals" not in text
    assert "houses" not in text
    assert "2 houses were reconstructed and handed over to 2 families." in news(world, "en", user=world.marko)


def test_a_caseworker_reads_the_figures_of_their_scope(world):
    rebuild_house(world, world.h_kline)
    rebuild_house(world, world.h_dragash)
    assert "2 houses were reconstructed" in news(world, "en")
    # Klara works in Klinë: she sees the Krasniqi house, not the one in Dragash.
    text = news(world, "en", user=world.klara)
    assert "1 house was reconstructed and handed over to 1 family." in text
    assert "assisted 3 individuals directly, in 1 household." in text
