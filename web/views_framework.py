"""A programme's results framework on the web: goal → outcomes → outputs with their indicators,
read by whoever may read the programme's results, built by managers and administrators; M&E
officers also enter the values of manual indicators. Every write goes through reports.actions.

The small forms (a target, a value) sit inside the tree. Posted without JavaScript they come back
to the whole page, with the errors next to the form's fields; htmx swaps just that indicator."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import may_change_programme
from activities.models import ActivityType, ProjectType
from programmes.models import Programme
from reports import actions
from reports.models import (DISAGGREGABLE, USES_ACTIVITY_TYPES, USES_ASSISTANCE_TYPES, USES_PROJECT_TYPES, Indicator,
                            ManualValue, Measure, Result)
from reports.reach import may_read
from web import forms_framework as forms
from web.forms import category_name
from web.views import _add_errors, _require, edit_versioned
from web.views_reports import DIMENSION_LABELS


def _programme_or_404(user, code):
    programme = get_object_or_404(Programme, code=code)
    if not may_read(user, programme):
        raise Http404  # as if it did not exist
    return programme


def _managed_or_404(user, code):
    programme = _programme_or_404(user, code)
    _require(user.can_manage_programmes and may_change_programme(user, programme))
    return programme


def _may_enter_values(user, programme):
    return (user.can_manage_programmes or user.role == Role.ME) and may_change_programme(user, programme)


def _back(programme, anchor=""):
    url = reverse("web:framework", args=[programme.code])
    return f"{url}#{anchor}" if anchor else url


# --- the page ----------------------------------------------------------------------------------

@login_required
def framework(request, code):
    return _page(request, _programme_or_404(request.user, code))


def _page(request, programme, *, result_form=None, bound=None):
    """The tree, with fresh forms for the viewer's role, or the `bound` ones ({(kind, indicator
    pk): form}) that came back with errors."""
    user = request.user
    manage = user.can_manage_programmes and may_change_programme(user, programme)
    enter = _may_enter_values(user, programme)
    bound = bound or {}
    chosen = (Indicator.objects.select_related("numerator", "denominator")
              .prefetch_related("assistance_types", "targets",
                                Prefetch("manual_values", ManualValue.objects.select_related("recorded_by"))))
    results = list(Result.objects.filter(programme=programme).prefetch_related(Prefetch("indicators", chosen)))
    children = {}
    for result in results:
        children.setdefault(result.parent_id, []).append(result)

    def row(indicator):
        pk = indicator.pk
        target_form = value_form = None
        if manage:
            target_form = bound.get(("target", pk)) or forms.TargetForm(prefix=f"target-{pk}")
        if enter and indicator.measure == Measure.MANUAL:
            value_form = bound.get(("value", pk)) or forms.ManualValueForm(prefix=f"value-{pk}")
        return {"indicator": indicator, "facts": _facts(indicator), "target_form": target_form,
                "value_form": value_form}

    def node(result):
        return {"result": result, "indicators": [row(i) for i in result.indicators.all()],
                "children": [node(child) for child in children.get(result.pk, [])]}

    if manage and result_form is None:
        result_form = forms.ResultForm(programme=programme)
    return render(request, "web/framework/page.html", {
        "programme": programme, "tree": [node(goal) for goal in children.get(None, [])],
        "manage": manage, "result_form": result_form,
    })


def _facts(indicator):
    """What the indicator counts, in words: (label, text) rows."""
    m = indicator.measure
    every = _("all types")
    facts = [(_("Counts"), indicator.get_measure_display())]
    if m in USES_ASSISTANCE_TYPES:
        names = [category_name(t) for t in indicator.assistance_types.all()]
        facts.append((_("Assistance types"), ", ".join(names) or every))
    if m in USES_ACTIVITY_TYPES:
        labels = dict(ActivityType.choices)
        facts.append((_("Activity types"), ", ".join(str(labels.get(t, t)) for t in indicator.activity_types) or every))
    if m in USES_PROJECT_TYPES:
        labels = dict(ProjectType.choices)
        facts.append((_("Community project types"),
                      ", ".join(str(labels.get(t, t)) for t in indicator.project_types) or every))
    if m == Measure.RATIO and indicator.numerator and indicator.denominator:
        facts.append((_("Ratio"), f"{indicator.numerator.code} ÷ {indicator.denominator.code} × 100"))
    if DISAGGREGABLE.get(m) and indicator.disaggregations:
        facts.append((_("Broken down by"), ", ".join(str(DIMENSION_LABELS[d]) for d in indicator.disaggregations)))
    if indicator.baseline is not None:
        date = f" ({indicator.baseline_date:%Y-%m-%d})" if indicator.baseline_date else ""
        facts.append((_("Baseline"), f"{indicator.baseline}{date}"))
    return facts


# --- results -----------------------------------------------------------------------------------

@login_required
def result_new(request, code):
    user = request.user
    programme = _managed_or_404(user, code)
    if request.method != "POST":
        return redirect(_back(programme, "add-result"))
    form = forms.ResultForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            result = actions.create_result(Result(programme=programme, **form.values()), acting_user=user)
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("The result was added."))
            return redirect(_back(programme, f"result-{result.pk}"))
    return _page(request, programme, result_form=form)


@login_required
def result_edit(request, code, pk):
    user = request.user
    programme = _managed_or_404(user, code)
    result = get_object_or_404(Result, programme=programme, pk=pk)
    return edit_versioned(
        request, form_class=forms.ResultEditForm, initial=forms.result_initial(result),
        save=lambda form, version: actions.update_result(result, form.values(), expected_version=version,
                                                         acting_user=user),
        template="web/framework/edit.html",
        context={"programme": programme, "title": _("Edit result %(code)s") % {"code": result.code}},
        done=_("The result was saved."), success=lambda: _back(programme, f"result-{result.pk}"))


@login_required
def result_delete(request, code, pk):
    user = request.user
    programme = _managed_or_404(user, code)
    result = get_object_or_404(Result, programme=programme, pk=pk)
    if request.method == "POST":
        _delete(request, lambda: actions.delete_result(result, acting_user=user), _("The result was deleted."))
    return redirect(_back(programme))


def _delete(request, delete, done):
    try:
        delete()
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, done)


# --- indicators --------------------------------------------------------------------------------

@login_required
def indicator_new(request, code, pk):
    user = request.user
    programme = _managed_or_404(user, code)
    result = get_object_or_404(Result, programme=programme, pk=pk)
    if request.method != "POST":
        form = forms.IndicatorForm(programme=programme, user=user, initial={"measure": request.GET.get("measure", "")})
    elif "refresh" in request.POST:
        # Another measure was chosen: the same input again, unvalidated, with that measure's fields.
        form = forms.IndicatorForm(programme=programme, user=user, initial=_posted(request.POST, forms.IndicatorForm))
    else:
        form = forms.IndicatorForm(request.POST, programme=programme, user=user)
        if form.is_valid():
            indicator = Indicator(programme=programme, result=result, **form.values())
            try:
                actions.create_indicator(indicator, assistance_types=form.chosen_assistance_types(), acting_user=user)
            except ValidationError as e:
                _add_errors(form, e)
            else:
                messages.success(request, _("The indicator was added."))
                return redirect(_back(programme, f"indicator-{indicator.pk}"))
    return render(request, "web/framework/indicator_new.html", {"programme": programme, "result": result, "form": form})


def _posted(data, form_class):
    multiple = {name for name, f in form_class.base_fields.items()
                if isinstance(f, (django_forms.MultipleChoiceField, django_forms.ModelMultipleChoiceField))}
    return {name: data.getlist(name) if name in multiple else data.get(name, "") for name in form_class.base_fields}


@login_required
def indicator_edit(request, code, pk):
    user = request.user
    programme = _managed_or_404(user, code)
    indicator = get_object_or_404(Indicator, programme=programme, pk=pk)
    return edit_versioned(
        request, form_class=forms.IndicatorEditForm, initial=forms.indicator_initial(indicator),
        save=lambda form, version: actions.update_indicator(indicator, form.values(), expected_version=version,
                                                            acting_user=user),
        template="web/framework/edit.html",
        context={"programme": programme, "title": _("Edit indicator %(code)s") % {"code": indicator.code}},
        done=_("The indicator was saved."), success=lambda: _back(programme, f"indicator-{indicator.pk}"))


@login_required
def indicator_delete(request, code, pk):
    user = request.user
    programme = _managed_or_404(user, code)
    indicator = get_object_or_404(Indicator, programme=programme, pk=pk)
    if request.method == "POST":
        _delete(request, lambda: actions.delete_indicator(indicator, acting_user=user), _("The indicator was deleted."))
    return redirect(_back(programme))


@login_required
def target_set(request, code, pk):
    user = request.user
    programme = _managed_or_404(user, code)
    indicator = get_object_or_404(Indicator, programme=programme, pk=pk)
    return _small_form(request, programme, indicator, "target", forms.TargetForm, lambda d: actions.set_target(
        indicator, d["period_start"], d["period_end"], d["value"], acting_user=user), _("The target was set."))


@login_required
def value_record(request, code, pk):
    user = request.user
    programme = _programme_or_404(user, code)
    _require(_may_enter_values(user, programme))
    indicator = get_object_or_404(Indicator, programme=programme, pk=pk, measure=Measure.MANUAL)
    return _small_form(
        request, programme, indicator, "value", forms.ManualValueForm, lambda d: actions.record_manual_value(
            indicator, d["period_start"], d["period_end"], d["value"], d["evidence"], acting_user=user),
        _("The value was recorded."))


def _small_form(request, programme, indicator, kind, form_class, write, done):
    """A form from inside the tree: on success back to the indicator, else the page again with
    this form's errors in place."""
    anchor = f"indicator-{indicator.pk}"
    if request.method != "POST":
        return redirect(_back(programme, anchor))
    form = form_class(request.POST, prefix=f"{kind}-{indicator.pk}")
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as e:
            _add_errors(form, e, aliases={"indicator": None})
        else:
            messages.success(request, done)
            return redirect(_back(programme, anchor))
    return _page(request, programme, bound={(kind, indicator.pk): form})
