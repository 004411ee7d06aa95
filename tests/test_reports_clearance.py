"""Figures never tell users who are not cleared for sensitive data about medical and psychosocial
help, or about a programme that is a phase of a sensitive one."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from jobs.runner import run_next
from programmes.models import Programme
from reports.actions import create_indicator, create_result
from reports.models import Indicator, Result
from reports.reach import Basis, NotVisible, reach
from reports.results import framework
from tests.test_reports_reach import DAY, deliver, kind, member, reached  # noqa: F401 (a fixture)


@pytest.fixture
def evacuated(reached):
    w = reached
    w.ada.sensitive = True  # the admin recording medical help is cleared for it
    w.ada.save()
    w.agim = member(w.h_kline, "Agim")
    deliver(w, w.rrk6, "medical_evacuation", person=w.agim, date=datetime.date(2024, 6, 1))
    return w


def direct(user, programme):
    return reach(Basis.of(user, programme, include_phases=True, on=DAY))["direct"]


def medical_indicator(w, user):
    goal = create_result(Result(programme=w.rrk, level="goal", code="1", statement="Health"), acting_user=w.ada)
    return create_indicator(Indicator(programme=w.rrk, result=goal, code="MED", name="Evacuated", unit="persons",
                                      measure="persons_assisted", disaggregations=["municipality"]),
                            assistance_types=[kind("medical_evacuation")], acting_user=user)


def test_medical_help_counts_only_for_users_cleared_for_it(evacuated):
    w = evacuated
    indicator = medical_indicator(w, w.ada)
    cleared = framework(w.rrk, Basis.of(w.ada, w.rrk, include_phases=True, on=DAY))[0]["indicators"][0]
    not_cleared = framework(w.rrk, Basis.of(w.mira, w.rrk, include_phases=True, on=DAY))[0]["indicators"][0]
    assert indicator.code == cleared["code"] == not_cleared["code"]
    assert cleared["actual"] == 1 and not_cleared["actual"] == 0
    assert not_cleared["disaggregations"]["municipality"] == []


def test_a_manager_not_cleared_cannot_define_an_indicator_over_medical_help(evacuated):
    w = evacuated
    with pytest.raises(ValidationError) as refused:
        medical_indicator(w, w.marko)
    assert "assistance_types" in refused.value.message_dict
    assert not Indicator.objects.filter(code="MED").exists()


def test_a_phase_under_a_sensitive_programme_is_as_hidden_as_it(evacuated):
    w = evacuated
    ct = Programme.objects.create(code="RRK-CT", name="Counter-trafficking component", parent=w.rrk, sensitive=True)
    shelter = Programme.objects.create(code="RRK-CT-SHELTER", name="Shelter", parent=ct)
    deliver(w, shelter, "food_package", household=w.h_sensitive, date=datetime.date(2024, 6, 2))
    with pytest.raises(NotVisible):
        Basis.of(w.marko, shelter)
    assert shelter.pk not in Basis.of(w.marko, w.rrk, include_phases=True).programmes
    assert shelter.pk in Basis.of(w.sara, w.rrk, include_phases=True).programmes


@override_settings(HOMEWARD_FIGURES_CACHE_PERSONS=1)
def test_kept_figures_are_not_refreshed_with_rights_the_user_gained_since(evacuated):
    w = evacuated
    first = direct(w.mira, w.rrk)
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive)
    direct(w.mira, w.rrk)  # stale: a refresh is queued as mira, not cleared
    w.mira.sensitive = True
    w.mira.save()
    job = run_next()
    assert "skipped" in job.result
    w.mira.sensitive = False
    w.mira.save()
    assert direct(w.mira, w.rrk) == first  # still the copy counted without medical help
