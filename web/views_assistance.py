"""Pages for assistance (deliveries, their kinds and evidence), budgets, activities and community
projects. Personal records are read through Delivery.objects.visible_to and Attendance.objects.visible_to
(out of scope is a 404, as if the record did not exist); every write goes through
assistance.actions, assistance.kinds, assistance.evidence and activities.actions, which audit."""

import re
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import may_edit_household
from activities import actions as activity_actions
from activities.importer import import_attendance
from activities.models import Activity, Attendance, CommunityProject, ProjectStatus
from assistance import kinds
from assistance.actions import GuardBlocked, change_delivery_status, record_delivery
from assistance.budget import programme_budget
from assistance.evidence import add_evidence
from assistance.models import (
    DELIVERY_TRANSITIONS, KINDS, MILESTONE_ORDER, REFERRAL_TRANSITIONS, Category, Delivery, DeliveryStatus,
    HouseDetail, IncomeGrantDetail, Milestone, ReferralDetail, ReferralStatus,
)
from audit.models import AuditEntry, record
from homeward.concurrency import StaleVersion
from programmes.models import Programme
from registry import actions as registry_actions
from registry.models import Person
from web import forms_assistance as forms
from web.views import (
    _add_errors, _error_dict, _flash_errors, _household_or_404, _page, _query_without_page, _require, _tree,
    _wants_fragment, edit_versioned,
)


def _fragment_or_page(request, target, fragment, page, context):
    template = fragment if _wants_fragment(request, target) else page
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request, HX-Target, Cookie"
    return response


def _record_sensitive_view(user, delivery):
    # Medical help and help in a sensitive programme reveal a person's situation: seeing it is audited.
    if delivery.type.sensitive or delivery.programme.sensitive:
        record(user, AuditEntry.Action.VIEW, delivery, household_id=delivery.household_id, sensitive=True, via="web")


# --- a household's assistance ------------------------------------------------------------------

@login_required
def household_assistance(request, pk):
    """The household's assistance across every programme and phase: a section of the household
    page (loaded by htmx) and, without JavaScript, a page of its own."""
    user = request.user
    household = _household_or_404(user, pk)
    fragment = _wants_fragment(request, "assistance")
    if not fragment:
        registry_actions.record_view(user, household, via="web")
    deliveries = (Delivery.objects.visible_to(user).for_household(household.pk)
                  .select_related("programme", "type", "person", "partner"))
    return _fragment_or_page(request, "assistance", "web/assistance/_household.html", "web/assistance/household.html", {
        "household": household, "deliveries": deliveries, "editable": may_edit_household(user, household),
    })


@login_required
def delivery_new(request, pk):
    user = request.user
    household = _household_or_404(user, pk)
    _require(may_edit_household(user, household))
    members = list(Person.objects.visible_to(user).filter(household=household))
    blocked = False
    if request.method == "POST":
        form = forms.DeliveryForm(request.POST, user=user, members=members)
        if form.is_valid():
            data = form.cleaned_data
            person = form.person()
            try:
                delivery, warnings = record_delivery(
                    acting_user=user, programme=data["programme"], type=data["type"],
                    household=None if person else household, person=person, date=data["date"],
                    status=data["status"], quantity=data["quantity"], value_eur=data["value_eur"],
                    partner=data["partner"], notes=data["notes"], override_reason=data["override_reason"], via="web")
            except GuardBlocked as e:
                blocked = True
                form.add_error("type", e.message_dict["type"])
            except ValidationError as e:
                _add_errors(form, e, aliases={"household": "recipient", "person": "recipient"})
            except PermissionDenied:
                raise Http404
            else:
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(request, _("The assistance was recorded."))
                return redirect("web:delivery", pk=delivery.pk)
    else:
        form = forms.DeliveryForm(user=user, members=members, initial={"date": timezone.localdate()})
    return render(request, "web/assistance/new.html", {
        "form": form, "household": household, "blocked": blocked,
        # Only a manager may override; others are shown the block without the means to pass it.
        "show_override": user.can_decide_selection and (blocked or bool(request.POST.get("override_reason"))),
    })


# --- one delivery -----------------------------------------------------------------------------

def _deliveries_for(user):
    return Delivery.objects.visible_to(user).select_related(
        "programme", "type", "partner", "household", "person")


def _delivery_or_404(user, pk):
    return get_object_or_404(_deliveries_for(user), pk=pk)


def _detail_of(delivery):
    model = KINDS.get(delivery.type.code)
    return model, (model.objects.filter(delivery=delivery).first() if model else None)


def _equipment_formset(data=None, detail=None):
    initial = [{"item": e.item, "quantity": e.quantity, "value_eur": e.value_eur}
               for e in detail.equipment.all()] if detail else []
    return forms.EquipmentFormSet(data, prefix="equipment", initial=initial)


def _kind_forms(model, detail):
    if model is None:
        return None, None
    form = forms.KIND_FORMS[model._meta.model_name](initial=forms.kind_initial(detail) if detail else None)
    formset = _equipment_formset(detail=detail) if model is IncomeGrantDetail else None
    return form, formset


def _delivery_page(request, delivery, **overrides):
    user = request.user
    editable = user.can_edit_registry
    model, detail = _detail_of(delivery)
    kind_form, equipment = _kind_forms(model, detail)
    context = {
        "delivery": delivery,
        "editable": editable,
        "changes": delivery.changes.select_related("actor"),
        "allowed": [(s.value, s.label) for s in DeliveryStatus
                    if s in DELIVERY_TRANSITIONS[DeliveryStatus(delivery.status)]],
        "status_form": None,
        "kind": model._meta.model_name if model else None,
        "kind_label": model._meta.verbose_name if model else None,
        "detail": detail,
        "kind_form": kind_form,
        "equipment_formset": equipment,
        "evidence": delivery.evidence.all(),
        "evidence_form": forms.EvidenceForm(),
        "conflict": None,
    }
    if isinstance(detail, HouseDetail):
        milestones = list(detail.milestones.select_related("recorded_by"))
        latest = milestones[-1].milestone if milestones else None
        following = MILESTONE_ORDER[MILESTONE_ORDER.index(latest) + 1:] if latest else MILESTONE_ORDER
        context["milestones"] = milestones
        context["milestone_form"] = forms.MilestoneForm(
            initial={"milestone": following[0], "date": timezone.localdate()}) if following else None
    if isinstance(detail, IncomeGrantDetail):
        context["follow_ups"] = detail.follow_ups.select_related("recorded_by")
        context["follow_up_form"] = forms.FollowUpForm(initial={"date": timezone.localdate()})
    if isinstance(detail, ReferralDetail):
        context["referral_changes"] = detail.changes.select_related("actor")
        context["referral_allowed"] = [(s.value, s.label) for s in ReferralStatus
                                       if s in REFERRAL_TRANSITIONS[ReferralStatus(detail.status)]]
        context["referral_form"] = forms.ReferralStatusForm(initial={"date": timezone.localdate()})
    context.update(overrides)
    return render(request, "web/assistance/detail.html", context)


@login_required
def delivery_detail(request, pk):
    delivery = _delivery_or_404(request.user, pk)
    _record_sensitive_view(request.user, delivery)
    return _delivery_page(request, delivery)


def _editable_delivery_or_404(request, pk):
    delivery = _delivery_or_404(request.user, pk)
    # A role that may not write gets the same answer as for a delivery it cannot see.
    _require(request.user.can_edit_registry)
    return delivery


@login_required
@require_POST
def delivery_status(request, pk):
    user = request.user
    delivery = _editable_delivery_or_404(request, pk)
    form = forms.DeliveryStatusForm(request.POST)
    if form.is_valid():
        to_status = form.cleaned_data["to_status"]
        try:
            change_delivery_status(delivery, to_status, reason=form.cleaned_data["reason"],
                                   expected_version=form.cleaned_data["version"], acting_user=user, via="web")
        except StaleVersion as e:
            current = _delivery_or_404(user, pk)
            conflict = [(_("Status"), DeliveryStatus(to_status).label, e.current.get_status_display())]
            return _delivery_page(request, current, conflict=conflict)
        except ValidationError as e:
            _add_errors(form, e, aliases={"status": "to_status"})
            delivery.refresh_from_db()
            return _delivery_page(request, delivery, status_form=form)
        messages.success(request, _("The delivery is now %(s)s.") % {"s": delivery.get_status_display()})
        return redirect("web:delivery", pk=delivery.pk)
    return _delivery_page(request, delivery, status_form=form)


def _wire_equipment(formset):
    """(rows for the action, the form of each row) leaving out empty and deleted rows."""
    rows, row_forms = [], []
    for f in formset.forms:
        if not f.has_changed() or f.cleaned_data.get("DELETE"):
            continue
        rows.append({k: f.cleaned_data[k] for k in ("item", "quantity", "value_eur")})
        row_forms.append(f)
    return rows, row_forms


@login_required
@require_POST
def delivery_kind(request, pk):
    """Create or change the detail of the delivery's kind (a house, a grant, a training...)."""
    user = request.user
    delivery = _editable_delivery_or_404(request, pk)
    model, _detail = _detail_of(delivery)
    _require(model is not None)
    form = forms.KIND_FORMS[model._meta.model_name](request.POST)
    formset = _equipment_formset(request.POST) if model is IncomeGrantDetail else None
    valid = form.is_valid() & (formset.is_valid() if formset is not None else True)
    if valid:
        data = form.wire()
        row_forms = []
        if formset is not None:
            data["equipment"], row_forms = _wire_equipment(formset)
        try:
            kinds.save_detail(delivery, data, acting_user=user, via="web")
        except ValidationError as e:
            for field, messages_ in _error_dict(e).items():
                name = (field or "").removeprefix("detail.")
                match = re.fullmatch(r"equipment\[(\d+)\](?:\.(\w+))?", name)
                if match and int(match[1]) < len(row_forms):
                    row = row_forms[int(match[1])]
                    row.add_error(match[2] if match[2] in row.fields else None, messages_)
                elif name in form.fields:
                    form.add_error(name, messages_)
                else:
                    form.add_error(None, messages_)
        else:
            messages.success(request, _("The %(kind)s was saved.") % {"kind": model._meta.verbose_name})
            return redirect("web:delivery", pk=delivery.pk)
    return _delivery_page(request, delivery, kind_form=form, equipment_formset=formset)


@login_required
@require_POST
def delivery_milestone(request, pk):
    user = request.user
    delivery = _editable_delivery_or_404(request, pk)
    house = HouseDetail.objects.filter(delivery=delivery).first()
    _require(house is not None)
    form = forms.MilestoneForm(request.POST)
    if form.is_valid():
        try:
            kinds.add_milestone(house, form.cleaned_data["milestone"], form.cleaned_data["date"],
                                note=form.cleaned_data["note"], acting_user=user, via="web")
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("Milestone recorded: %(m)s.") % {
                "m": Milestone(form.cleaned_data["milestone"]).label})
            return redirect("web:delivery", pk=delivery.pk)
    return _delivery_page(request, delivery, milestone_form=form)


@login_required
@require_POST
def delivery_follow_up(request, pk):
    user = request.user
    delivery = _editable_delivery_or_404(request, pk)
    grant = IncomeGrantDetail.objects.filter(delivery=delivery).first()
    _require(grant is not None)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        try:
            kinds.add_follow_up(grant, form.cleaned_data["status"], form.cleaned_data["date"],
                                note=form.cleaned_data["note"], acting_user=user, via="web")
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("The follow-up visit was recorded."))
            return redirect("web:delivery", pk=delivery.pk)
    return _delivery_page(request, delivery, follow_up_form=form)


@login_required
@require_POST
def delivery_referral(request, pk):
    user = request.user
    delivery = _editable_delivery_or_404(request, pk)
    referral = ReferralDetail.objects.filter(delivery=delivery).first()
    _require(referral is not None)
    form = forms.ReferralStatusForm(request.POST)
    if form.is_valid():
        try:
            kinds.change_referral_status(referral, form.cleaned_data["to_status"], form.cleaned_data["date"],
                                         outcome=form.cleaned_data["outcome"], acting_user=user, via="web")
        except ValidationError as e:
            _add_errors(form, e, aliases={"status": "to_status"})
        else:
            messages.success(request, _("The referral is now %(s)s.") % {
                "s": ReferralStatus(form.cleaned_data["to_status"]).label})
            return redirect("web:delivery", pk=delivery.pk)
    return _delivery_page(request, delivery, referral_form=form)


@login_required
@require_POST
def delivery_evidence(request, pk):
    user = request.user
    delivery = _editable_delivery_or_404(request, pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            add_evidence(delivery, form.cleaned_data["file"], acting_user=user, via="web")
        except ValidationError as e:
            _add_errors(form, e)
        except PermissionDenied:
            raise Http404
        else:
            messages.success(request, _("The file was attached."))
            return redirect("web:delivery", pk=delivery.pk)
    return _delivery_page(request, delivery, evidence_form=form)


# --- lists for a programme -----------------------------------------------------------------------

@login_required
def delivery_list(request):
    user = request.user
    _require(user.sees_personal_data)  # every row names a household; donors read the budget instead
    form = forms.DeliveryFilterForm(request.GET or None, user=user)
    deliveries = _deliveries_for(user).select_related("household__responsible_municipality")
    if form.is_bound:
        if form.is_valid():
            f = form.cleaned_data
            if f["programme"]:
                deliveries = deliveries.filter(programme__in=Programme.objects.with_phases(f["programme"]))
            if f["type"]:
                deliveries = deliveries.filter(type=f["type"])
            if f["status"]:
                deliveries = deliveries.filter(status=f["status"])
            if f["municipality"]:
                m = f["municipality"]
                deliveries = deliveries.filter(Q(household__responsible_municipality=m)
                                               | Q(household__current_municipality=m))
        else:
            deliveries = deliveries.none()
    return _fragment_or_page(request, "results", "web/assistance/_results.html", "web/assistance/list.html", {
        "form": form, "page": _page(request, deliveries), "query": _query_without_page(request),
    })


@login_required
def programme_houses(request, code):
    """Each house of the programme and its phases that the user may see, with its latest milestone."""
    user = request.user
    _require(user.sees_personal_data)
    programme = get_object_or_404(Programme, code=code)
    houses = kinds.house_progress(programme, user=user)
    labels = dict(Milestone.choices)
    counts = {}
    for latest in houses.values_list("latest_milestone", flat=True):
        counts[latest] = counts.get(latest, 0) + 1
    by_milestone = [(_("No milestone yet"), counts[None])] if None in counts else []
    by_milestone += [(labels[m], counts[m]) for m in Milestone.values if m in counts]
    page = _page(request, houses)
    for house in page.object_list:
        house.latest_label = labels.get(house.latest_milestone)
    return render(request, "web/assistance/houses.html", {
        "programme": programme, "page": page, "query": _query_without_page(request), "by_milestone": by_milestone,
    })


def _budget_rows(budget):
    labels = dict(Category.choices)
    return [{**c, "label": labels[c["category"]]} for c in budget["categories"]]


@login_required
def budget_index(request):
    """Planned, committed and delivered amounts of every programme: figures only, for every role."""
    rows = []
    for programme, depth in _tree(list(Programme.objects.all())):
        rows.append((programme, depth, programme_budget(programme)))
    return render(request, "web/assistance/budget_index.html", {"rows": rows})


@login_required
def programme_budget_page(request, code):
    programme = get_object_or_404(Programme, code=code)
    budget = programme_budget(programme)
    return render(request, "web/assistance/budget.html", {
        "programme": programme, "budget": budget, "categories": _budget_rows(budget),
        "own": programme_budget(programme, include_phases=False) if programme.phases.exists() else None,
    })


# --- activities ---------------------------------------------------------------------------------

@login_required
def activity_list(request):
    form = forms.ActivityFilterForm(request.GET or None)
    activities = (Activity.objects.visible_to(request.user).select_related("programme", "municipality", "country")
                  .annotate(attendees_count=Count("attendances")).order_by("-date", "-pk"))
    if form.is_bound:
        if form.is_valid():
            f = form.cleaned_data
            if f["programme"]:
                activities = activities.filter(programme__in=Programme.objects.with_phases(f["programme"]))
            if f["type"]:
                activities = activities.filter(type=f["type"])
            if f["date_from"]:
                activities = activities.filter(date__gte=f["date_from"])
            if f["date_to"]:
                activities = activities.filter(date__lte=f["date_to"])
        else:
            activities = activities.none()
    return _fragment_or_page(request, "results", "web/activities/_results.html", "web/activities/list.html", {
        "form": form, "page": _page(request, activities), "query": _query_without_page(request),
    })


def _activity_or_404(user, pk):
    return get_object_or_404(Activity.objects.visible_to(user).select_related(
        "programme", "organiser", "municipality", "country"), pk=pk)


@login_required
def activity_new(request):
    user = request.user
    _require(user.can_edit_registry)
    form = forms.ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activity = Activity(**form.values())
        try:
            activity_actions.create_activity(activity, acting_user=user, via="web")
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect("web:activity", pk=activity.pk)
    return render(request, "web/activities/form.html", {"form": form, "activity": None})


@login_required
def activity_edit(request, pk):
    user = request.user
    activity = _activity_or_404(user, pk)
    _require(user.can_edit_registry)
    return edit_versioned(
        request, form_class=forms.ActivityForm, initial=forms.activity_initial(activity),
        save=lambda form, version: activity_actions.update_activity(
            activity, form.values(), expected_version=version, acting_user=user, via="web"),
        template="web/activities/form.html", context={"activity": activity},
        done=_("The activity was saved."), success=lambda: reverse("web:activity", args=[activity.pk]))


def _may_record_attendance(user, activity):
    return user.can_edit_registry and (user.sensitive or not activity.programme.sensitive)


def _person_results(user, activity, q):
    if not q or not _may_record_attendance(user, activity):
        return []
    already = activity.attendances.values("person_id")
    return list(Person.objects.visible_to(user).search(q).exclude(pk__in=already)
                .select_related("household").order_by("family_name", "given_name")[:20])


@login_required
def activity_detail(request, pk, import_form=None, problems=None):
    user = request.user
    activity = _activity_or_404(user, pk)
    q = request.GET.get("q", "").strip()
    results = _person_results(user, activity, q)
    if _wants_fragment(request, "person-results"):
        return render(request, "web/activities/_person_results.html",
                      {"activity": activity, "results": results, "q": q})
    attendances = list(Attendance.objects.visible_to(user).filter(activity=activity)
                       .select_related("person__household"))
    if activity.programme.sensitive and attendances:
        # Who attended a counter-trafficking or medical activity is sensitive: seeing it is audited.
        record(user, AuditEntry.Action.VIEW, activity, sensitive=True, via="web",
               changes={"attendees": [a.person_id for a in attendances]})
    counts = activity.attendances.aggregate(
        registered=Count("pk"), attended=Count("pk", filter=Q(attended=True)),
        certified=Count("pk", filter=Q(certified=True)))
    return render(request, "web/activities/detail.html", {
        "activity": activity, "attendances": attendances, "counts": counts, "q": q, "results": results,
        "may_attend": _may_record_attendance(user, activity), "editable": user.can_edit_registry,
        "import_form": import_form or forms.AttendanceFileForm(), "problems": problems,
    })


def _person_ids(values):
    ids = []
    for value in values:
        if not value.isdigit():
            raise ValidationError({"attendees": _("Unknown person %(id)s.") % {"id": value}})
        ids.append(int(value))
    return ids


@login_required
@require_POST
def activity_attendees(request, pk):
    """Add the chosen persons as attendees, or remove one."""
    user = request.user
    activity = _activity_or_404(user, pk)
    _require(user.can_edit_registry)
    try:
        if request.POST.get("remove"):
            activity_actions.remove_attendees(activity, _person_ids([request.POST["remove"]]), acting_user=user,
                                              via="web")
            messages.success(request, _("The attendee was removed."))
        else:
            ids = _person_ids(request.POST.getlist("person"))
            if not ids:
                raise ValidationError({"attendees": _("Choose a person to add.")})
            activity_actions.add_attendees(activity, ids, attended=bool(request.POST.get("attended")),
                                           certified=bool(request.POST.get("certified")), acting_user=user,
                                           via="web")
            messages.success(request, _("The attendance was saved."))
    except (ValidationError, PermissionDenied) as e:
        _flash_errors(request, e)
    return redirect("web:activity", pk=activity.pk)


@login_required
@require_POST
def activity_import(request, pk):
    """An attendance list from a spreadsheet: all or nothing, every bad row reported."""
    user = request.user
    activity = _activity_or_404(user, pk)
    _require(user.can_edit_registry)
    form = forms.AttendanceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return activity_detail(request, pk, import_form=form)
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name or "").suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        result = import_attendance(activity, copy.name, user, via="web")
        # The importer names the temporary copy; the user knows the file by its own name.
        problems = [p.replace(copy.name, upload.name).replace(Path(copy.name).name, upload.name)
                    for p in result.problems]
    if problems:
        return activity_detail(request, pk, import_form=form, problems=problems)
    messages.success(request, _("%(created)d attendees added, %(updated)d updated, %(unchanged)d unchanged.") % {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged})
    return redirect("web:activity", pk=activity.pk)


# --- community projects -------------------------------------------------------------------------

@login_required
def project_list(request):
    form = forms.ProjectFilterForm(request.GET or None)
    projects = CommunityProject.objects.visible_to(request.user).select_related("programme", "municipality")
    if form.is_bound:
        if form.is_valid():
            f = form.cleaned_data
            if f["programme"]:
                projects = projects.filter(programme__in=Programme.objects.with_phases(f["programme"]))
            if f["type"]:
                projects = projects.filter(type=f["type"])
            if f["status"]:
                projects = projects.filter(status=f["status"])
        else:
            projects = projects.none()
    return _fragment_or_page(request, "results", "web/projects/_results.html", "web/projects/list.html", {
        "form": form, "page": _page(request, projects), "query": _query_without_page(request),
    })


def _project_or_404(user, pk):
    return get_object_or_404(CommunityProject.objects.visible_to(user).select_related("programme", "municipality"),
                             pk=pk)


def _project_page(request, project, **overrides):
    context = {
        "project": project,
        "changes": project.changes.select_related("actor"),
        "allowed": [(s, ProjectStatus(s).label) for s in project.allowed_next()],
        "editable": request.user.can_edit_registry,
        "transition_form": forms.ProjectTransitionForm(initial={"on": timezone.localdate()}),
        "conflict": None,
    }
    context.update(overrides)
    return render(request, "web/projects/detail.html", context)


@login_required
def project_detail(request, pk):
    return _project_page(request, _project_or_404(request.user, pk))


@login_required
def project_new(request):
    user = request.user
    _require(user.can_edit_registry)
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = CommunityProject(**form.values())
        try:
            activity_actions.create_project(project, acting_user=user, via="web")
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("The project was saved."))
            return redirect("web:project", pk=project.pk)
    return render(request, "web/projects/form.html", {"form": form, "project": None})


@login_required
def project_edit(request, pk):
    user = request.user
    project = _project_or_404(user, pk)
    _require(user.can_edit_registry)
    return edit_versioned(
        request, form_class=forms.ProjectForm, initial=forms.project_initial(project),
        save=lambda form, version: activity_actions.update_project(
            project, form.values(), expected_version=version, acting_user=user, via="web"),
        template="web/projects/form.html", context={"project": project},
        done=_("The project was saved."), success=lambda: reverse("web:project", args=[project.pk]))


@login_required
@require_POST
def project_transition(request, pk):
    user = request.user
    project = _project_or_404(user, pk)
    _require(user.can_edit_registry)
    form = forms.ProjectTransitionForm(request.POST)
    if form.is_valid():
        to_status = form.cleaned_data["to_status"]
        try:
            activity_actions.transition_project(
                project, to_status, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"], acting_user=user, via="web")
        except StaleVersion as e:
            conflict = [(_("Status"), ProjectStatus(to_status).label, e.current.get_status_display())]
            return _project_page(request, _project_or_404(user, pk), conflict=conflict)
        except ValidationError as e:
            _add_errors(form, e, aliases={"status": "to_status"})
            project.refresh_from_db()
            return _project_page(request, project, transition_form=form)
        messages.success(request, _("The project is now %(s)s.") % {"s": project.get_status_display()})
        return redirect("web:project", pk=project.pk)
    return _project_page(request, project, transition_form=form)

