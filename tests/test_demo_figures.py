"""`homeward demo` reproduces each seed programme's reported figures from its case records: computed
by reports/ (the functions behind the API and the dashboard), as the admin or M&E officer sees them
on the demo's report date."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import User
from homeward.demo import TODAY
from homeward.demo_results import FRAMEWORKS
from places.models import Municipality
from programmes.models import Programme
from reports import indicators
from reports.models import Indicator
from reports.reach import Basis, NotVisible, reach
from reports.results import framework

D = datetime.date


def basis(code, user="admin", on=TODAY):
    return Basis.of(User.objects.get(username=user), Programme.objects.get(code=code), include_phases=True, on=on)


def results(code, user="admin", on=TODAY):
    """The framework's indicators by code, as GET /programmes/{code}/results gives them."""
    found = {}

    def walk(nodes):
        for node in nodes:
            found.update({i["code"]: i for i in node["indicators"]})
            walk(node["children"])

    walk(framework(Programme.objects.get(code=code), basis(code, user, on)))
    return found


def actual(code, user="admin", on=TODAY):
    return {k: v["actual"] for k, v in results(code, user, on).items()}


def drill(programme, code, user="admin"):
    return indicators.records(Indicator.objects.get(programme__code=programme, code=code), basis(programme, user))


@pytest.mark.django_db
def test_every_seed_programme_has_a_framework_whose_targets_are_met(demo):
    for code in FRAMEWORKS:
        goals = framework(Programme.objects.get(code=code), basis(code))
        assert [g["level"] for g in goals] == ["goal"], code
        outputs = [o for outcome in goals[0]["children"] for o in outcome["children"]]
        assert outputs and all(o["level"] == "output" for o in outputs), code
        for figures in results(code).values():
            for target in figures["targets"]:
                # RRK VI is under way: its 32 houses are an aim, not yet a result.
                if code != "RRK-VI":
                    assert target["actual"] == target["target"], (code, figures["code"])


@pytest.mark.django_db
def test_the_klina_programme_handed_30_houses_to_30_families_and_funded_30_businesses(demo):
    figures = actual("EAR-RAE-KLINA")
    assert (figures["EAR-1"], figures["EAR-2"], figures["EAR-3"]) == (30, 30, 30)
    assert results("EAR-RAE-KLINA")["EAR-2"]["disaggregations"]["municipality"] == [{"key": "M18", "value": 30}]
    sectors = Counter(drill("EAR-RAE-KLINA", "EAR-3").values_list("incomegrantdetail__sector", flat=True))
    assert sectors == {"production": 10, "service": 20}


@pytest.mark.django_db
def test_uk_returnees_55_direct_and_95_indirect_beneficiaries_of_26_projects(demo):
    figures = reach(basis("UK-VARRP"))
    assert (figures["households"], figures["direct"], figures["indirect"]) == (26, 55, 95)
    assert actual("UK-VARRP")["UK-1"] == 26
    # Most resettled in the Prishtinë/Priština and Mitrovicë/Mitrovica regions.
    regions = Counter()
    for row in reach(basis("UK-VARRP"), by="municipality")["rows"]:
        regions[Municipality.objects.get(code=row["key"]).district.code] += row["direct"] + row["indirect"]
    assert [region for region, _n in regions.most_common(2)] == ["D1", "D2"]


@pytest.mark.django_db
def test_the_kpc_pilot_assisted_over_86_members(demo):
    figures = actual("KPC-PILOT")
    assert figures["KPC-1"] == 87
    assert figures["KPC-2"] == 87  # every separated member had basic business skills


@pytest.mark.django_db
def test_the_kpc_trust_fund_completed_3_clinics_1_sewage_system_2_bridges_and_4_schools(demo):
    figures = actual("KPC-TF")
    assert [figures[f"TF-{i}"] for i in range(1, 6)] == [10, 3, 1, 2, 4]


@pytest.mark.django_db
def test_11_trafficked_persons_had_income_support_3_by_projects_8_by_direct_assistance(demo):
    figures = actual("CT-IGS")
    assert [figures[f"CT-{i}"] for i in range(1, 5)] == [11, 3, 8, 1]
    plans = drill("CT-IGS", "CT-2").values_list("deliveries__incomegrantdetail__business_plan", flat=True)
    assert set(plans) - {None} == {"Poultry farm", "Milk production", "Small coffee shop"}
    # A sensitive programme: the M&E officer, not cleared, does not see it at all.
    with pytest.raises(NotVisible):
        basis("CT-IGS", user="me")


@pytest.mark.django_db
def test_the_swedish_medical_programme_evacuated_86_people_69_to_sweden_17_to_bosnia(demo):
    figures = actual("SMP")
    assert figures["SMP-1"] == 86
    destinations = Counter(drill("SMP", "SMP-1").values_list(
        "deliveries__medicaldetail__destination_country__code", flat=True))
    assert destinations == {"SE": 69, "BA": 17}
    assert (figures["SMP-2"], figures["SMP-3"], figures["SMP-4"]) == (165, 43, 215)  # entered, with evidence
    assert figures["SMP-6"] == 40  # participants of the trainings in Sweden


@pytest.mark.django_db
def test_rrk_built_377_houses_and_20_community_projects_since_november_2017(demo):
    before_rrk6 = actual("RRK", user="me", on=D(2024, 3, 31))
    assert (before_rrk6["RRK-1"], before_rrk6["RRK-4"]) == (377, 20)
    houses = results("RRK", user="me")["RRK-1"]
    assert [(t["period_start"], t["target"], t["actual"]) for t in houses["targets"]] == [
        (D(2017, 11, 11), 377, 377)]
    assert houses["actual"] == 377 + 7  # with the first RRK VI houses


@pytest.mark.django_db
def test_rrk6_aims_at_32_houses_and_built_for_7_families_of_35_in_dragash_and_lipjan(demo):
    figures = results("RRK-VI", user="me")
    assert figures["R6-1"]["targets"][0]["target"] == 32
    assert (figures["R6-1"]["actual"], figures["R6-2"]["actual"], figures["R6-3"]["actual"]) == (7, 7, 35)
    assert figures["R6-2"]["disaggregations"]["municipality"] == [{"key": "M04", "value": 3},
                                                                  {"key": "M24", "value": 4}]


@pytest.mark.django_db
def test_the_serbia_project_returned_30_families_of_108_and_equipped_104_families_of_216(demo):
    figures = actual("SR-ODRZIVI")
    assert [figures[f"SR-{i}"] for i in range(1, 5)] == [8, 5, 12, 3]  # meetings, presentations, visits, tables
    assert (figures["SR-6"], figures["SR-7"]) == (30, 108)
    assert (figures["SR-8"], figures["SR-9"]) == (104, 216)
    assert (figures["SR-10"], figures["SR-11"]) == (30, 74)


@pytest.mark.django_db
def test_migration_and_diaspora_counts_its_beneficiaries_and_enters_what_records_cannot(demo):
    figures = actual("MIGDIA")
    counted = {"MD-10": 303, "MD-11": 273, "MD-12": 70, "MD-5": 51, "MD-6": 73, "MD-14": 10, "MD-15": 480,
               "MD-13": 3, "MD-4": 1}
    assert {k: figures[k] for k in counted} == counted
    entered = {"MD-1": 38, "MD-2": 13, "MD-3": 300, "MD-19": 200, "MD-20": 600}
    assert {k: figures[k] for k in entered} == entered
    assert Indicator.objects.get(programme__code="MIGDIA", code="MD-1").manual_values.get().evidence


@pytest.mark.django_db
def test_the_hungarian_project_held_its_conference_and_wrote_its_report(demo):
    figures = actual("HU-AVRR")
    assert (figures["HU-1"], figures["HU-2"], figures["HU-3"], figures["HU-4"]) == (1, 1, 60, 1)


@pytest.mark.django_db
def test_a_second_run_adds_no_indicator(demo):
    before = Indicator.objects.count()
    call_command("demo")
    assert Indicator.objects.count() == before
