"""A programme's results framework built on the web: a manager builds goal → outcome → output →
indicator with a target; bad definitions come back with the field's error and save nothing; a
caseworker reads but cannot write; M&E enters a manual value; stale edits are caught."""

import datetime
from decimal import Decimal

import pytest

from assistance.models import AssistanceType
from audit.models import AuditEntry
from reports.actions import create_indicator, create_result, record_manual_value, update_result
from reports.models import Indicator, ManualValue, Result, Target
from tests.conftest import make_user

URL = "/programmes/RRK/framework/"


def html(response):
    return response.content.decode()


def build(world):
    """goal 1 → outcome 1.1 → output 1.1.1, made through the actions."""
    goal = create_result(Result(programme=world.rrk, level="goal", code="1", statement="Sustainable return"),
                         acting_user=world.marko)
    outcome = create_result(Result(programme=world.rrk, level="outcome", parent=goal, code="1.1",
                                   statement="Returnees live in adequate housing"), acting_user=world.marko)
    output = create_result(Result(programme=world.rrk, level="output", parent=outcome, code="1.1.1",
                                  statement="Houses reconstructed"), acting_user=world.marko)
    return goal, outcome, output


def manual(world, output):
    return create_indicator(Indicator(programme=world.rrk, result=output, code="M1", name="Municipal plans supported",
                                      unit="plans", measure="manual"), acting_user=world.marko)


def test_it_lets_a_manager_build_a_framework_from_goal_to_indicator_with_a_target(client, world):
    client.force_login(world.marko)
    r = client.post(f"{URL}results/", {"level": "goal", "code": "1", "statement": "Sustainable return"})
    assert r.status_code == 302
    goal = Result.objects.get(programme=world.rrk, code="1")
    client.post(f"{URL}results/", {"level": "outcome", "parent": goal.pk, "code": "1.1",
                                   "statement": "Returnees earn a living"})
    outcome = Result.objects.get(code="1.1")
    client.post(f"{URL}results/", {"level": "output", "parent": outcome.pk, "code": "1.1.1",
                                   "statement": "Grants delivered"})
    output = Result.objects.get(code="1.1.1")
    assert output.parent == outcome and outcome.parent == goal

    grant = AssistanceType.objects.get(code="income_generation_grant")
    r = client.post(f"{URL}results/{output.pk}/indicators/", {
        "code": "1.1.1a", "name": "Persons with a grant", "unit": "persons", "measure": "persons_assisted",
        "assistance_types": [grant.pk], "disaggregations": ["sex", "age_group"], "baseline": "0",
        "baseline_date": "2026-01-01"})
    assert r.status_code == 302
    indicator = Indicator.objects.get(code="1.1.1a")
    assert list(indicator.assistance_types.all()) == [grant] and indicator.disaggregations == ["sex", "age_group"]

    prefix = f"target-{indicator.pk}"
    r = client.post(f"{URL}indicators/{indicator.pk}/targets/", {
        f"{prefix}-period_start": "2026-01-01", f"{prefix}-period_end": "2026-12-31", f"{prefix}-value": "120"})
    assert r.status_code == 302 and r["Location"].endswith(f"#indicator-{indicator.pk}")

    page = html(client.get(URL))
    assert "Goal 1" in page and "Outcome 1.1" in page and "Output 1.1.1" in page
    assert "1.1.1a Persons with a grant" in page
    assert "Persons with delivered assistance (direct beneficiaries)" in page and grant.name_en in page
    assert "Sex, Age group" in page and "2026-01-01 – 2026-12-31: 120.00 persons" in page
    # The tree nests: the output's section lies inside the outcome's, inside the goal's.
    assert page.index(f'id="result-{goal.pk}"') < page.index(f'id="result-{outcome.pk}"') < page.index(
        f'id="result-{output.pk}"') < page.index(f'id="indicator-{indicator.pk}"')


def test_it_changes_the_target_when_the_same_period_is_set_again(client, world):
    *_, output = build(world)
    indicator = create_indicator(Indicator(programme=world.rrk, result=output, code="H", name="Houses",
                                           unit="houses", measure="houses_handed_over"), acting_user=world.marko)
    client.force_login(world.marko)
    prefix = f"target-{indicator.pk}"
    for value in ("10", "12"):
        client.post(f"{URL}indicators/{indicator.pk}/targets/", {
            f"{prefix}-period_start": "2026-01-01", f"{prefix}-period_end": "2026-12-31", f"{prefix}-value": value})
    assert list(indicator.targets.values_list("value", flat=True)) == [Decimal("12")]


def test_it_shows_a_bad_target_period_next_to_the_field(client, world):
    *_, output = build(world)
    indicator = create_indicator(Indicator(programme=world.rrk, result=output, code="H", name="Houses",
                                           unit="houses", measure="houses_handed_over"), acting_user=world.marko)
    client.force_login(world.marko)
    prefix = f"target-{indicator.pk}"
    r = client.post(f"{URL}indicators/{indicator.pk}/targets/", {
        f"{prefix}-period_start": "2026-12-31", f"{prefix}-period_end": "2026-01-01", f"{prefix}-value": "5"})
    assert r.status_code == 200 and "The end date is before the start date." in html(r)
    assert not Target.objects.exists()


def test_it_refuses_a_ratio_without_a_numerator_and_saves_nothing(client, world):
    *_, output = build(world)
    client.force_login(world.marko)
    r = client.post(f"{URL}results/{output.pk}/indicators/", {
        "code": "R", "name": "Share housed", "unit": "%", "measure": "ratio"})
    page = html(r)
    assert r.status_code == 200 and "A ratio divides one indicator by another." in page
    # The error stands next to the numerator's field.
    assert page.index('for="id_numerator"') < page.index("A ratio divides one indicator by another.") < page.index(
        'for="id_denominator"')
    assert not Indicator.objects.exists()


def test_it_refuses_a_breakdown_the_measure_cannot_have_and_saves_nothing(client, world):
    *_, output = build(world)
    client.force_login(world.marko)
    r = client.post(f"{URL}results/{output.pk}/indicators/", {
        "code": "D", "name": "Deliveries", "unit": "deliveries", "measure": "deliveries", "disaggregations": ["sex"]})
    page = html(r)
    assert r.status_code == 200 and 'id="id_disaggregations_error"' in page and "sex is not one of" in page
    assert not Indicator.objects.exists()


def test_it_refuses_activity_types_for_a_measure_over_deliveries(client, world):
    *_, output = build(world)
    client.force_login(world.marko)
    r = client.post(f"{URL}results/{output.pk}/indicators/", {
        "code": "D", "name": "Deliveries", "unit": "deliveries", "measure": "deliveries",
        "activity_types": ["training"]})
    assert "This measure does not use activity types." in html(r) and not Indicator.objects.exists()


def test_it_offers_the_ratio_terms_only_for_a_ratio(client, world):
    *_, output = build(world)
    houses = create_indicator(Indicator(programme=world.rrk, result=output, code="H", name="Houses handed over",
                                        unit="houses", measure="houses_handed_over"), acting_user=world.marko)
    manual(world, output)
    client.force_login(world.marko)
    new = f"{URL}results/{output.pk}/indicators/"
    assert 'name="numerator"' not in html(client.get(new, {"measure": "deliveries"}))
    page = html(client.post(new, {"measure": "ratio", "code": "R", "refresh": "1"}))
    assert 'name="numerator"' in page and f'<option value="{houses.pk}">H Houses handed over</option>' in page
    assert "M1 Municipal plans supported" not in page  # a manual indicator is no term of a ratio
    assert 'value="R"' in page and not Indicator.objects.filter(code="R").exists()
    # The breakdowns offered are the measure's.
    page = html(client.get(new, {"measure": "households_assisted"}))
    assert 'value="municipality"' in page and 'value="sex"' not in page


def test_it_shows_a_caseworker_the_tree_but_no_forms_and_refuses_their_posts(client, world):
    *_, output = build(world)
    indicator = manual(world, output)
    client.force_login(world.klara)
    r = client.get(URL)
    assert r.status_code == 200 and "Output 1.1.1" in html(r) and "M1 Municipal plans supported" in html(r)
    assert "<form" not in html(r).split("<main>")[1].split("</main>")[0]
    before = AuditEntry.objects.count()
    assert client.post(f"{URL}results/", {"level": "goal", "code": "9", "statement": "x"}).status_code == 404
    prefix = f"value-{indicator.pk}"
    assert client.post(f"{URL}indicators/{indicator.pk}/values/", {
        f"{prefix}-period_start": "2026-01-01", f"{prefix}-period_end": "2026-12-31", f"{prefix}-value": "3",
        f"{prefix}-evidence": "x"}).status_code == 404
    assert client.post(f"{URL}indicators/{indicator.pk}/delete/").status_code == 404
    assert not Result.objects.filter(code="9").exists() and not ManualValue.objects.exists()
    assert AuditEntry.objects.count() == before


def test_it_lets_an_me_officer_enter_a_manual_value_with_evidence(client, world):
    *_, output = build(world)
    indicator = manual(world, output)
    client.force_login(world.mira)
    page = html(client.get(URL))
    assert "Enter a value" in page and "Set a target" not in page and "Add a result" not in page
    prefix = f"value-{indicator.pk}"
    r = client.post(f"{URL}indicators/{indicator.pk}/values/", {
        f"{prefix}-period_start": "2026-01-01", f"{prefix}-period_end": "2026-06-30", f"{prefix}-value": "4",
        f"{prefix}-evidence": "Minutes of the Klinë municipal assembly, 12 June 2026"})
    assert r.status_code == 302
    value = ManualValue.objects.get()
    assert value.value == 4 and value.recorded_by == world.mira
    assert "Minutes of the Klinë municipal assembly" in html(client.get(URL))
    assert AuditEntry.objects.filter(actor=world.mira, action="create", model="reports.manualvalue").exists()


def test_it_asks_for_evidence_with_a_manual_value(client, world):
    *_, output = build(world)
    indicator = manual(world, output)
    client.force_login(world.mira)
    prefix = f"value-{indicator.pk}"
    r = client.post(f"{URL}indicators/{indicator.pk}/values/", {
        f"{prefix}-period_start": "2026-01-01", f"{prefix}-period_end": "2026-06-30", f"{prefix}-value": "4",
        f"{prefix}-evidence": " "})
    assert r.status_code == 200 and f'id="id_{prefix}-evidence_error"' in html(r)
    assert not ManualValue.objects.exists()


def test_it_catches_a_stale_edit_and_keeps_the_input(client, world):
    goal, *_ = build(world)
    client.force_login(world.marko)
    edit = f"{URL}results/{goal.pk}/edit/"
    assert 'name="version" value="1"' in html(client.get(edit))
    update_result(goal, {"statement": "Durable return"}, expected_version=1, acting_user=world.ada)
    r = client.post(edit, {"statement": "Safe return", "version": "1"})
    page = html(r)
    assert r.status_code == 200 and "Someone else saved this record" in page
    assert "Durable return" in page and "Safe return" in page and 'name="version" value="2"' in page
    goal.refresh_from_db()
    assert goal.statement == "Durable return"
    # Saving again over the current version applies the input.
    assert client.post(edit, {"statement": "Safe return", "version": "2"}).status_code == 302
    goal.refresh_from_db()
    assert goal.statement == "Safe return" and goal.version == 3


def test_it_edits_an_indicator_name_unit_and_baseline_with_an_audit_row(client, world):
    *_, output = build(world)
    indicator = manual(world, output)
    client.force_login(world.marko)
    r = client.post(f"{URL}indicators/{indicator.pk}/edit/", {
        "name": "Municipal action plans supported", "unit": "plans", "baseline": "2", "baseline_date": "2025-12-31",
        "version": "1"})
    assert r.status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "Municipal action plans supported" and indicator.baseline == 2
    row = AuditEntry.objects.filter(action="update", model="reports.indicator").get()
    assert row.actor == world.marko and row.changes["name"] == ["Municipal plans supported",
                                                                "Municipal action plans supported"]


def test_it_deletes_only_what_has_nothing_hanging_on_it(client, world):
    goal, outcome, output = build(world)
    indicator = manual(world, output)
    record_manual_value(indicator, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), Decimal(1), "report",
                        acting_user=world.mira)
    client.force_login(world.marko)
    r = client.post(f"{URL}indicators/{indicator.pk}/delete/", follow=True)
    assert "M1 has targets or entered values and cannot be deleted." in html(r)
    r = client.post(f"{URL}results/{output.pk}/delete/", follow=True)
    assert "1.1.1 still has results or indicators under it" in html(r)
    assert Indicator.objects.filter(pk=indicator.pk).exists() and Result.objects.count() == 3

    empty = create_indicator(Indicator(programme=world.rrk, result=output, code="E", name="Empty", unit="n",
                                       measure="deliveries"), acting_user=world.marko)
    r = client.post(f"{URL}indicators/{empty.pk}/delete/", follow=True)
    assert "The indicator was deleted." in html(r) and not Indicator.objects.filter(pk=empty.pk).exists()
    assert AuditEntry.objects.filter(action="delete", model="reports.indicator", object_id=str(empty.pk),
                                     actor=world.marko).exists()


def test_it_writes_an_audit_row_for_each_step_a_manager_takes(client, world):
    client.force_login(world.marko)
    client.post(f"{URL}results/", {"level": "goal", "code": "1", "statement": "Sustainable return"})
    goal = Result.objects.get()
    client.post(f"{URL}results/{goal.pk}/indicators/", {"code": "G", "name": "Houses", "unit": "houses",
                                                       "measure": "houses_handed_over"})
    indicator = Indicator.objects.get()
    prefix = f"target-{indicator.pk}"
    client.post(f"{URL}indicators/{indicator.pk}/targets/", {
        f"{prefix}-period_start": "2026-01-01", f"{prefix}-period_end": "2026-12-31", f"{prefix}-value": "10"})
    models = set(AuditEntry.objects.filter(actor=world.marko, action="create").values_list("model", flat=True))
    assert models == {"reports.result", "reports.indicator", "reports.target"}


def test_it_puts_a_result_under_a_valid_parent_only(client, world):
    goal, outcome, output = build(world)
    client.force_login(world.marko)
    page = html(client.get(URL))
    form = page.split('id="add-result"')[1]
    assert f'<option value="{goal.pk}">' in form and f'<option value="{outcome.pk}">' in form
    assert f'<option value="{output.pk}">' not in form  # nothing hangs under an output
    r = client.post(f"{URL}results/", {"level": "output", "parent": goal.pk, "code": "2", "statement": "x"})
    assert "hangs under a outcome" in html(r) and not Result.objects.filter(code="2").exists()
    r = client.post(f"{URL}results/", {"level": "goal", "code": "1", "statement": "Again"})
    assert "This programme already uses the code 1." in html(r)


@pytest.mark.parametrize("persona", ["klara", "dona", "mira", "ada", "marko"])
def test_it_shows_the_tree_to_whoever_reads_the_programme(client, world, persona):
    build(world)
    client.force_login(getattr(world, persona))
    assert "Houses reconstructed" in html(client.get(URL))


def test_it_answers_404_for_a_programme_the_user_may_not_read(client, world):
    create_result(Result(programme=world.ct, level="goal", code="1", statement="Survivors recover"),
                  acting_user=make_user("sam", "admin", sensitive=True))
    client.force_login(world.klara)  # CT is sensitive; Klara is not cleared
    assert client.get("/programmes/CT/framework/").status_code == 404
    client.force_login(world.marko)  # a manager not cleared may not write to it either
    assert client.post("/programmes/CT/framework/results/", {"level": "goal", "code": "2",
                                                             "statement": "x"}).status_code == 404
    client.force_login(world.sara)
    assert "Survivors recover" in html(client.get("/programmes/CT/framework/"))
    client.force_login(world.dona)  # a donor reads only the programmes funded or assigned
    assert client.get("/programmes/CT/framework/").status_code == 404
    assert client.get("/programmes/NOPE/framework/").status_code == 404


def test_it_keeps_results_of_another_programme_out_of_reach(client, world):
    goal = create_result(Result(programme=world.rrk6, level="goal", code="1", statement="Phase goal"),
                         acting_user=world.marko)
    client.force_login(world.marko)
    assert client.get(f"{URL}results/{goal.pk}/edit/").status_code == 404
    assert client.get(f"{URL}results/{goal.pk}/indicators/").status_code == 404


def test_managers_and_me_officers_change_only_the_programmes_given_them(client, world):
    # UKVR is another team's programme, built by a manager given no programme (who manages any).
    from programmes.models import Programme

    ukvr = Programme.objects.create(code="UKVR", name="UK voluntary return")
    lena = make_user("lena", "manager")
    goal = create_result(Result(programme=ukvr, level="goal", code="1", statement="Returnees reintegrate"),
                         acting_user=lena)
    indicator = create_indicator(Indicator(programme=ukvr, result=goal, code="M1", name="Plans supported",
                                           unit="plans", measure="manual"), acting_user=lena)
    url = "/programmes/UKVR/framework/"
    for persona in ("marko", "mira"):  # the manager and the M&E officer of RRK
        client.force_login(getattr(world, persona))
        page = html(client.get(url))
        assert "Returnees reintegrate" in page and "<form" not in page.split("<main>")[1].split("</main>")[0]
        prefix = f"value-{indicator.pk}"
        assert client.post(f"{url}indicators/{indicator.pk}/values/", {
            f"{prefix}-period_start": "2026-01-01", f"{prefix}-period_end": "2026-12-31", f"{prefix}-value": "3",
            f"{prefix}-evidence": "x"}).status_code == 404
        assert client.post(f"{url}results/", {"level": "goal", "code": "9", "statement": "x"}).status_code == 404
    assert not ManualValue.objects.exists() and not Result.objects.filter(code="9").exists()
    # The programme pages offer Marko "Edit programme" for RRK's phases only.
    client.force_login(world.marko)
    assert "Edit programme" in html(client.get("/programmes/RRK-VI/"))
    assert "Edit programme" not in html(client.get("/programmes/UKVR/"))
    for code in ("UKVR", "CT"):  # a write the page does not offer answers 404, as elsewhere
        assert client.get(f"/programmes/{code}/edit/").status_code == 404
    # A new programme can be a phase of RRK or of its phase only; RRK-VI's own form offers RRK.
    offered = client.get("/programmes/new/").context["form"].fields["parent"].queryset
    assert sorted(offered.values_list("code", flat=True)) == ["RRK", "RRK-VI"]
    offered = client.get("/programmes/RRK-VI/edit/").context["form"].fields["parent"].queryset
    assert list(offered.values_list("code", flat=True)) == ["RRK"]
    client.force_login(lena)  # given no programme: any she may read, CT (sensitive) not
    offered = client.get("/programmes/new/").context["form"].fields["parent"].queryset
    assert sorted(offered.values_list("code", flat=True)) == ["RRK", "RRK-VI", "UKVR"]
