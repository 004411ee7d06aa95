"""The server-rendered UI. Reads go through the visible_to() scoping (out of scope is a 404, as
if the record did not exist); writes go through registry.actions and programmes.actions."""

import datetime
import re

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.scope import may_change_programme, may_edit_household
from audit.models import AuditEntry
from homeward.concurrency import StaleVersion
from homeward.paging import Keys, page_bounds
from merges import actions as merges
from places.models import Country, Municipality, code_of, municipality_names, place_name, reference
from programmes import actions as programme_actions
from programmes.models import MANAGER_ONLY, Enrolment, EnrolmentStatus, EnrolmentStatusChange, Organisation, Programme
from registry import actions as registry_actions
from registry import search
from registry.models import Household, Person, PersonVulnerability
from web import forms
from web.links import link_to


# --- helpers ---------------------------------------------------------------------------------

def _page(request, queryset):
    return Paginator(queryset, settings.HOMEWARD_PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _wants_fragment(request, target):
    """htmx asks for one part of the page; a history restore or a plain browser wants it all."""
    return request.headers.get("HX-Target") == target and not request.headers.get("HX-History-Restore-Request")


def _household_or_404(user, pk):
    return get_object_or_404(Household.objects.visible_to(user), pk=pk)


def _person_or_404(user, pk):
    return get_object_or_404(Person.objects.visible_to(user).select_related("household"), pk=pk)


def _editable_household_or_404(user, pk):
    household = _household_or_404(user, pk)
    # A role without write access gets the same answer as for a record it cannot see.
    if not may_edit_household(user, household):
        raise Http404
    return household


def _error_dict(error):
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {None: error.messages}


def _add_errors(form, error, aliases=None):
    """Put an action's ValidationError next to the form's fields; unknown names at the top."""
    aliases = aliases or {}
    for field, messages_ in _error_dict(error).items():
        field = aliases.get(field, field)
        if field in form.fields:
            form.add_error(field, messages_)
        else:
            form.add_error(None, [f"{field}: {m}" if field and field != "__all__" else m for m in messages_])


def _display(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, Municipality):
        return value.display_name()
    return str(value)


def _conflict_rows(form, current_values):
    """(label, their value, stored value) for each field where the user's input differs from what
    is stored now, so they can decide what to re-apply."""
    rows = []
    for name, stored in current_values.items():
        field = form.fields[name]
        mine, stored = _display(form.cleaned_data.get(name)), _display(stored)
        if isinstance(field, django_forms.ChoiceField) and not isinstance(field, django_forms.ModelChoiceField):
            labels = {str(k): str(v) for k, v in field.choices}
            mine, stored = labels.get(mine, mine), labels.get(stored, stored)
        if mine != stored:
            rows.append((field.label, mine, stored))
    return rows


def _with_version(data, version):
    data = data.copy()
    data["version"] = str(version)
    return data


def edit_versioned(request, *, form_class, initial, save, template, context, done, success):
    """The edit page of a versioned record: validate, save through its action with the version
    the form was loaded at, and when someone saved in between show what changed and keep the
    input. `save(form, version)` writes; `success()` is the URL to go to afterwards."""
    conflict = None
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                save(form, form.cleaned_data["version"] or 0)
            except StaleVersion as e:
                current = e.current
                conflict = _conflict_rows(form, {f: getattr(current, f) for f in form_class.FIELDS})
                form = form_class(_with_version(request.POST, current.version))
                form.is_valid()
            except ValidationError as e:
                _add_errors(form, e)
            else:
                messages.success(request, done)
                return redirect(success())
    else:
        form = form_class(initial=initial)
    return render(request, template, {**context, "form": form, "conflict": conflict})


def _next_url(request, default):
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


# --- login, profile, language ---------------------------------------------------------------

class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        # Before login the chosen language lives in the session (accounts.middleware reads it).
        language = request.GET.get("lang")
        if language in dict(settings.LANGUAGES):
            request.session["language"] = language
        return super().get(request, *args, **kwargs)


@login_required
def profile(request):
    form = forms.ProfileForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        _set_language(request, form.cleaned_data["language"])
        messages.success(request, _("Your settings were saved."))
        return redirect("web:profile")
    return render(request, "web/profile.html", {"form": form})


def _set_language(request, language):
    request.user.language = language
    request.user.save(update_fields=["language"])
    request.session["language"] = language


@login_required
def set_language(request):
    if request.method != "POST":
        return redirect("web:profile")
    form = forms.ProfileForm(request.POST)
    if form.is_valid():
        _set_language(request, form.cleaned_data["language"])
    return redirect(_next_url(request, reverse("web:dashboard")))


# --- dashboard ---------------------------------------------------------------------------------

@login_required
def dashboard(request):
    user = request.user
    households = Household.objects.visible_to(user)
    enrolments = Enrolment.objects.visible_to(user)
    mine = list(user.programmes.all())
    if mine:
        enrolments = enrolments.filter(programme_id__in=Programme.objects.phase_ids(mine))
    labels = dict(EnrolmentStatus.choices)
    by_status = [
        (labels[row["status"]], row["n"])
        for row in enrolments.order_by("status").values("status").annotate(n=Count("id"))
    ]
    recent = households.select_related("current_municipality").prefetch_related("members")[:10]
    return render(request, "web/dashboard.html", {
        "household_count": households.count(),
        "person_count": Person.objects.visible_to(user).count(),
        "by_status": by_status,
        "recent": recent,
        "programmes": mine,
    })


# --- households --------------------------------------------------------------------------------

def _filtered_households(request):
    """The visible households matching the list's filters, and the problems with the filters."""
    user = request.user
    qs = Household.objects.visible_to(user)
    errors = {}
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.search(q)
    municipality_text = request.GET.get("municipality", "").strip()
    if municipality_text:
        municipality = None
        if municipality_text.isdigit():
            municipality = Municipality.objects.filter(pk=municipality_text).first()
        municipality = municipality or Municipality.objects.lookup(municipality_text)
        if municipality is None:
            errors["municipality"] = _("Unknown municipality %(m)s.") % {"m": municipality_text}
            qs = qs.none()
        else:
            qs = qs.filter(Q(current_municipality=municipality) | Q(responsible_municipality=municipality))
    programme_text = request.GET.get("programme", "").strip()
    status = request.GET.get("status", "").strip()
    if not (programme_text or status):
        return qs, errors
    # Programme and status filter through the enrolments the user may see, so filtering by a
    # sensitive programme cannot reveal who is in it.
    enrolments = Enrolment.objects.visible_to(user)
    if programme_text:
        programme = forms.programmes_for(user).filter(code__iexact=programme_text).first()
        if programme is None and programme_text.isdigit():
            programme = forms.programmes_for(user).filter(pk=programme_text).first()
        if programme is None:
            errors["programme"] = _("Unknown programme %(p)s.") % {"p": programme_text}
            qs = qs.none()
        else:
            enrolments = enrolments.filter(programme_id__in=Programme.objects.phase_ids([programme]))
    if status:
        if status not in EnrolmentStatus.values:
            errors["status"] = _("Unknown status %(s)s.") % {"s": status}
            qs = qs.none()
        enrolments = enrolments.filter(status=status)
    return qs.filter(pk__in=enrolments.values("household_id")), errors


def _household_keys(request, start, stop):
    """The keys of the visible households matching the list's filters, read a page at a time with
    their count (homeward.paging), and the problems with the filters."""
    q = request.GET.get("q", "").strip()
    if q and not any(request.GET.get(name, "").strip() for name in ("municipality", "programme", "status")):
        # A search alone is read from the search index of households (registry.search).
        return search.household_keys(request.user, q, start, stop), {}
    qs, errors = _filtered_households(request)
    return Keys(qs, start, stop), errors


def _list_rows(user, keys):
    """The list's columns for the households whose keys the (sliced) queryset `keys` selects, in
    the households' default order (the list's): plain values in two queries (the households with
    their members, registry.search.with_members; their enrolments), since model instances and
    prefetching cost more than the SQL of a search."""
    rows = search.with_members(keys, ("pk", "ref", "current_country_id", "current_municipality_id"),
                               ("relationship", "given_name", "family_name"))
    if not rows:
        return []
    pks = [row["pk"] for row in rows]
    enrolments = {pk: [] for pk in pks}
    labels = dict(EnrolmentStatus.choices)
    for household_id, code, _sensitive, status in search.enrolments(user, pks):
        enrolments[household_id].append((code, labels.get(status, status)))
    for row in rows:
        people = row.pop("members")
        # As Household.head() and Person.full_name(): the first head among the members.
        row["head"] = next((f"{p['given_name']} {p['family_name']}" for p in people
                            if p["relationship"] == Person.Relationship.HEAD), None)
        row["size"] = len(people)
        # Places from the reference data read once per process (places.models.reference).
        municipality = reference(Municipality, row["current_municipality_id"])
        if municipality is None:
            row["place"] = reference(Country, row["current_country_id"])["name_en"]  # str(Country)
        else:
            row["place"] = place_name(municipality["name_sq"], municipality["name_sr_latn"], municipality["name_sr_cyrl"])
        row["enrolments"] = enrolments[row["pk"]]
        row["link"] = link_to("web:household", row["pk"])
    return rows


def _municipality_code(text):
    """The code of the municipality a filter names (by code, key or any name), or the text as given
    when it names none."""
    text = text.strip()
    if not text or text.upper() in {code for code, *_ in municipality_names()}:
        return text.upper()
    if text.isdigit():  # a key, as the filter's links gave it before it offered codes
        return code_of(Municipality, int(text)) or text
    found = Municipality.objects.lookup(text)
    return found.code if found else text


@login_required
def household_list(request):
    user = request.user
    # The page asked for and the count from one query (homeward.paging).
    start, stop = page_bounds(request.GET.get("page"), settings.HOMEWARD_PAGE_SIZE)
    keys, errors = _household_keys(request, start, stop)
    page = _page(request, keys)
    page.object_list = _list_rows(user, page.object_list)
    context = {
        "page": page,
        "errors": errors,
        "query": _query_without_page(request),
        "q": request.GET.get("q", ""),
        "municipality": request.GET.get("municipality", ""),
        "programme": request.GET.get("programme", ""),
        "status": request.GET.get("status", ""),
    }
    if _wants_fragment(request, "results"):
        response = render(request, "web/households/_results.html", context)
    else:
        # Offered by code (the filter takes a code, a key or any name), chosen as the filter read it.
        context["municipalities"] = [(code, place_name(*names)) for code, *names in municipality_names()]
        context["municipality"] = _municipality_code(context["municipality"])
        context["programme_codes"] = [(code, code) for code in forms.programmes_for(user).values_list("code", flat=True)]
        context["statuses"] = EnrolmentStatus.choices
        response = render(request, "web/households/list.html", context)
    response.headers["Vary"] = "HX-Request, HX-Target, Cookie"
    return response


def _enrolment_rows(user, household):
    enrolments = (Enrolment.objects.visible_to(user).filter(household=household).select_related("programme")
                  .prefetch_related(Prefetch("changes", EnrolmentStatusChange.objects.select_related("actor"))))
    editable = may_edit_household(user, household)
    rows = []
    for enrolment in enrolments:
        allowed = []
        if editable:
            allowed = [s for s in enrolment.allowed_next() if s not in MANAGER_ONLY or user.can_decide_selection]
        rows.append({"enrolment": enrolment, "allowed": [(s.value, s.label) for s in allowed]})
    return rows, editable


def _audit_rows(user, entries):
    """Entries with their changes, or None where the viewer may only see that something happened."""
    return [(e, None if e.sensitive and not user.sensitive else sorted(e.changes.items())) for e in entries]


@login_required
def household_detail(request, pk):
    user = request.user
    household = _household_or_404(user, pk)
    registry_actions.record_view(user, household, via="web")
    enrolments, editable = _enrolment_rows(user, household)
    context = {
        "household": household,
        "members": household.members.select_related("community"),
        "enrolments": enrolments,
        "editable": editable,
        "enrol_form": forms.EnrolForm(user=user, household=household) if editable else None,
    }
    if user.can_read_audit:
        # With the rows of households merged into this one: audit rows keep the ids they were written with.
        entries = merges.audit_trail(household).select_related("actor")[:100]
        context["audit"] = _audit_rows(user, entries)
    return render(request, "web/households/detail.html", context)


@login_required
def enrol(request, pk):
    household = _editable_household_or_404(request.user, pk)
    if request.method == "POST":
        form = forms.EnrolForm(request.POST, user=request.user, household=household)
        if form.is_valid():
            try:
                programme_actions.enrol(household, form.cleaned_data["programme"], acting_user=request.user)
                messages.success(request, _("The household was enrolled."))
            except (ValidationError, PermissionDenied) as e:
                _flash_errors(request, e)
        else:
            _flash_errors(request, ValidationError(form.errors))
    return redirect("web:household", pk=household.pk)


def _flash_errors(request, error):
    if isinstance(error, ValidationError):
        for messages_ in _error_dict(error).values():
            for m in messages_:
                messages.error(request, m)
    else:
        messages.error(request, str(error))


@login_required
def transition(request, pk):
    user = request.user
    enrolment = get_object_or_404(Enrolment.objects.visible_to(user).select_related("household", "programme"), pk=pk)
    household = _editable_household_or_404(user, enrolment.household_id)
    if request.method == "POST":
        form = forms.TransitionForm(request.POST)
        if not form.is_valid():
            _flash_errors(request, ValidationError(form.errors))
        else:
            try:
                programme_actions.transition(
                    enrolment, form.cleaned_data["to_status"], reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"], acting_user=user)
                messages.success(request, _("The enrolment is now %(s)s.") % {"s": enrolment.get_status_display()})
            except StaleVersion as e:
                messages.error(request, _("Someone else changed this enrolment meanwhile; it is now %(s)s.") % {
                    "s": e.current.get_status_display()})
            except (ValidationError, PermissionDenied) as e:
                _flash_errors(request, e)
    return redirect("web:household", pk=household.pk)


def _require(condition):
    if not condition:
        raise Http404


@login_required
def household_new(request):
    user = request.user
    _require(user.can_edit_registry)
    members_errors = []
    if request.method != "POST":
        form = forms.RegisterHouseholdForm(user=user)
        formset = forms.MemberFormSet(prefix="members", form_kwargs={"user": user},
                                      initial=[{"relationship": "head"}])
    elif "add_member" in request.POST:
        form, formset = _with_extra_member(request, user)
    else:
        form = forms.RegisterHouseholdForm(request.POST, user=user)
        formset = forms.MemberFormSet(request.POST, prefix="members", form_kwargs={"user": user})
        if form.is_valid() & formset.is_valid():  # both, so every error is shown at once
            household = _register(request, form, formset, members_errors)
            if household is not None:
                messages.success(request, _("Household %(ref)s was registered.") % {"ref": household.ref})
                return redirect("web:household", pk=household.pk)
    return render(request, "web/households/new.html", {
        "form": form, "formset": formset, "members_errors": members_errors or formset.non_form_errors(),
    })


def _with_extra_member(request, user):
    """'Add member' without JavaScript: the same form again, unvalidated, with one more row."""
    data = request.POST
    total = data.get("members-TOTAL_FORMS", "")
    total = min(int(total), 30) if total.isdigit() else 1  # a tampered count is not worth an error page
    rows = []
    for i in range(total):
        row = {name: data.get(f"members-{i}-{name}", "") for name in forms.PersonForm.base_fields}
        row["vulnerabilities"] = data.getlist(f"members-{i}-vulnerabilities")
        rows.append(row)
    rows.append({"relationship": "child" if total else "head"})
    household_initial = {name: data.get(name, "") for name in forms.RegisterHouseholdForm.base_fields}
    form = forms.RegisterHouseholdForm(initial=household_initial, user=user)
    formset = forms.MemberFormSet(prefix="members", form_kwargs={"user": user}, initial=rows)
    return form, formset


def _register(request, form, formset, members_errors):
    """Save through registry.actions.create_household; on refusal map its errors onto the right
    field of the right row and return None (the action saved nothing)."""
    rows = [f for f in formset.forms if not f.cleaned_data.get("DELETE")]
    members, vulnerabilities = [], {}
    for i, row in enumerate(rows):
        members.append(Person(**row.values()))
        vulnerabilities[i] = list(row.cleaned_data["vulnerabilities"])
    household = Household(ref=form.cleaned_data["ref"], **form.values())
    try:
        return registry_actions.create_household(
            acting_user=request.user, household=household, members=members, vulnerabilities=vulnerabilities,
            programme=form.cleaned_data["programme"], via="web")
    except PermissionDenied:
        raise Http404
    except ValidationError as e:
        for field, messages_ in _error_dict(e).items():
            match = re.fullmatch(r"members\[(\d+)\]\.(\w+)", field or "")
            if match and int(match[1]) < len(rows):
                row, name = rows[int(match[1])], match[2]
                name = "date_of_birth" if name == "birth_year" else name
                row.add_error(name if name in row.fields else None, messages_)
            elif field == "members":
                members_errors.extend(messages_)
            else:
                _add_errors(form, ValidationError({field: messages_}) if field else ValidationError(messages_))
        return None


@login_required
def household_edit(request, pk):
    user = request.user
    household = _editable_household_or_404(user, pk)
    conflict = None
    if request.method == "POST":
        form = forms.EditHouseholdForm(request.POST, user=user)
        if form.is_valid():
            try:
                registry_actions.update_household(household, form.values(), expected_version=form.cleaned_data["version"],
                                                  acting_user=user)
                messages.success(request, _("The household was saved."))
                return redirect("web:household", pk=household.pk)
            except StaleVersion as e:
                current = e.current
                conflict = _conflict_rows(form, {f: getattr(current, f) for f in forms.HouseholdForm.FIELDS})
                # Keep the user's input; saving again now knowingly replaces the current version.
                form = forms.EditHouseholdForm(_with_version(request.POST, current.version), user=user)
                form.is_valid()
            except ValidationError as e:
                _add_errors(form, e)
    else:
        form = forms.EditHouseholdForm(initial={**forms.household_initial(household), "version": household.version},
                                       user=user)
    return render(request, "web/households/edit.html", {"form": form, "household": household, "conflict": conflict})


# --- persons -----------------------------------------------------------------------------------

@login_required
def person_detail(request, pk):
    user = request.user
    person = _person_or_404(user, pk)
    registry_actions.record_view(user, person, via="web")
    return render(request, "web/persons/detail.html", {
        "person": person,
        "household": person.household,
        "vulnerabilities": PersonVulnerability.objects.visible_to(user).filter(person=person).select_related("category"),
        "documents": person.documents.select_related("issuing_country"),
        "consents": person.consents.all(),
        "editable": may_edit_household(user, person.household),
        "document_form": forms.DocumentForm(),
        "consent_form": forms.ConsentForm(initial={"given_on": datetime.date.today()}),
    })


@login_required
def person_edit(request, pk):
    user = request.user
    person = _person_or_404(user, pk)
    _require(may_edit_household(user, person.household))
    visible = PersonVulnerability.objects.visible_to(user).filter(person=person)
    conflict = None
    if request.method == "POST":
        form = forms.EditPersonForm(request.POST, user=user)
        if form.is_valid():
            try:
                # Both writes or neither: a stale person must not get half of the change.
                with transaction.atomic():
                    registry_actions.update_person(person, form.values(), expected_version=form.cleaned_data["version"],
                                                   acting_user=user)
                    registry_actions.set_vulnerabilities(person, form.cleaned_data["vulnerabilities"], acting_user=user)
                messages.success(request, _("The person was saved."))
                return redirect("web:person", pk=person.pk)
            except StaleVersion as e:
                current = e.current
                stored = {f: getattr(current, f) for f in forms.PersonForm.FIELDS if f != "date_of_birth"}
                conflict = _conflict_rows(form, stored)
                mine = request.POST.get("date_of_birth", "").strip()
                if mine != current.birth_display():
                    conflict.append((form.fields["date_of_birth"].label, mine or "—", current.birth_display() or "—"))
                form = forms.EditPersonForm(_with_version(request.POST, current.version), user=user)
                form.is_valid()
            except ValidationError as e:
                _add_errors(form, e, aliases={"birth_year": "date_of_birth"})
    else:
        initial = {**forms.person_initial(person), "version": person.version,
                   "vulnerabilities": [v.category_id for v in visible]}
        form = forms.EditPersonForm(initial=initial, user=user)
    return render(request, "web/persons/edit.html", {"form": form, "person": person, "conflict": conflict})


# --- programmes --------------------------------------------------------------------------------

def _tree(programmes, parent=None, depth=0):
    rows = []
    for p in programmes:
        if p.parent_id == (parent.pk if parent else None):
            rows.append((p, depth))
            rows += _tree(programmes, p, depth + 1)
    return rows


@login_required
def programme_list(request):
    programmes = list(Programme.objects.all())
    return render(request, "web/programmes/list.html", {"rows": _tree(programmes)})


@login_required
def programme_detail(request, code):
    user = request.user
    programme = get_object_or_404(Programme.objects.prefetch_related("donors"), code=code)
    ids = Programme.objects.phase_ids([programme])
    phases = _tree(list(Programme.objects.filter(pk__in=ids)), programme.parent)
    labels = dict(EnrolmentStatus.choices)
    # Counts only of the enrolments this user may see: a count is also information.
    counts = (Enrolment.objects.visible_to(user).filter(programme_id__in=ids).order_by("status").values("status")
              .annotate(n=Count("id")))
    return render(request, "web/programmes/detail.html", {
        "programme": programme,
        "phases": phases,
        "counts": [(labels[c["status"]], c["n"]) for c in counts],
        "total": sum(c["n"] for c in counts),
        "may_change": user.can_manage_programmes and may_change_programme(user, programme),
    })


@login_required
def programme_new(request):
    user = request.user
    _require(user.can_manage_programmes)
    form = forms.programme_form_for(user)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = Programme(**form.values())
        try:
            programme_actions.create_programme(programme, donors=form.cleaned_data["donors"], acting_user=user)
            messages.success(request, _("The programme was saved."))
            return redirect("web:programme", code=programme.code)
        except ValidationError as e:
            _add_errors(form, e)
        except PermissionDenied as e:  # a parent that is not theirs, or none for a user given programmes
            form.add_error("parent", str(e))
    return render(request, "web/programmes/form.html", {"form": form, "programme": None})


@login_required
def programme_edit(request, code):
    user = request.user
    programme = get_object_or_404(Programme, code=code)
    # 404 as if it did not exist, also for a sensitive programme and a user not cleared.
    _require(user.can_manage_programmes and may_change_programme(user, programme))
    return edit_versioned(
        request, form_class=forms.programme_form_for(user, programme), initial=forms.programme_initial(programme),
        save=lambda form, version: programme_actions.update_programme(
            programme, form.values(), donors=form.cleaned_data["donors"], expected_version=version, acting_user=user),
        template="web/programmes/form.html", context={"programme": programme},
        done=_("The programme was saved."), success=lambda: reverse("web:programme", args=[programme.code]))


# --- audit -------------------------------------------------------------------------------------

@login_required
def audit_log(request):
    user = request.user
    _require(user.can_read_audit)
    form = forms.AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor")
    if form.is_bound:
        if form.is_valid():
            f = form.cleaned_data
            if f["actor"]:
                entries = entries.filter(actor__username__iexact=f["actor"].strip())
            if f["action"]:
                entries = entries.filter(action=f["action"])
            if f["model"]:
                entries = entries.filter(model=f["model"])
            if f["date_from"]:
                entries = entries.filter(at__date__gte=f["date_from"])
            if f["date_to"]:
                entries = entries.filter(at__date__lte=f["date_to"])
            if f["household"]:
                entries = entries.filter(household_id__in=merges.merged_household_ids(f["household"]))
        else:
            entries = entries.none()
    page = _page(request, entries)
    return render(request, "web/audit.html", {
        "form": form, "page": page, "rows": _audit_rows(user, page.object_list), "query": _query_without_page(request),
    })


# Identity documents and consents, from the person page -------------------------------------

def _editable_person_or_404(user, pk):
    person = _person_or_404(user, pk)
    if not may_edit_household(user, person.household):
        raise Http404
    return person


def _apply_small_form(request, form, write, done):
    """Validate a small form posted from the person page, write, and go back to the page with
    the outcome as a message naming the field."""
    if not form.is_valid():
        error = ValidationError(form.errors)
    else:
        try:
            write(form.cleaned_data)
            messages.success(request, done)
            return
        except (ValidationError, PermissionDenied) as e:
            error = e
    if isinstance(error, ValidationError):
        for field, texts in _error_dict(error).items():
            label = form.fields[field].label if field in form.fields else ""
            for text in texts:
                messages.error(request, f"{label}: {text}" if label else text)
    else:
        messages.error(request, str(error))


@login_required
def person_document_add(request, pk):
    person = _editable_person_or_404(request.user, pk)
    if request.method == "POST":
        _apply_small_form(request, forms.DocumentForm(request.POST), lambda data: registry_actions.add_document(
            person, acting_user=request.user, **data), _("The document was added."))
    return redirect("web:person", pk=person.pk)


@login_required
def person_document_remove(request, pk, document):
    person = _editable_person_or_404(request.user, pk)
    document = get_object_or_404(person.documents, pk=document)
    if request.method == "POST":
        registry_actions.remove_document(document, acting_user=request.user)
        messages.success(request, _("The document was removed."))
    return redirect("web:person", pk=person.pk)


@login_required
def person_consent_add(request, pk):
    person = _editable_person_or_404(request.user, pk)
    if request.method == "POST":
        _apply_small_form(request, forms.ConsentForm(request.POST), lambda data: registry_actions.record_consent(
            person, acting_user=request.user, **data), _("The consent was recorded."))
    return redirect("web:person", pk=person.pk)


@login_required
def person_consent_withdraw(request, pk, consent):
    person = _editable_person_or_404(request.user, pk)
    consent = get_object_or_404(person.consents, pk=consent)
    if request.method == "POST":
        _apply_small_form(request, forms.WithdrawConsentForm(request.POST),
                          lambda data: registry_actions.withdraw_consent(consent, acting_user=request.user, **data),
                          _("The withdrawal of consent was recorded."))
    return redirect("web:person", pk=person.pk)


# Organisations: donors, implementing agencies, partners, government bodies --------------------
# Not personal data: every user sees them; managers and admins add and change them.

@login_required
def organisation_list(request):
    organisations = Organisation.objects.select_related("country").annotate(
        programmes=Count("funded_programmes", distinct=True))
    kind = request.GET.get("kind", "")
    if kind in Organisation.Kind.values:
        organisations = organisations.filter(kind=kind)
    return render(request, "web/organisations/list.html", {
        "organisations": organisations, "kinds": Organisation.Kind.choices, "kind": kind})


@login_required
def organisation_new(request):
    user = request.user
    _require(user.can_manage_programmes)
    form = forms.OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme_actions.create_organisation(Organisation(**form.values()), acting_user=user)
            messages.success(request, _("The organisation was saved."))
            return redirect("web:organisations")
        except ValidationError as e:
            _add_errors(form, e)
    return render(request, "web/organisations/form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request, pk):
    user = request.user
    _require(user.can_manage_programmes)
    organisation = get_object_or_404(Organisation, pk=pk)
    return edit_versioned(
        request, form_class=forms.OrganisationForm, initial=forms.organisation_initial(organisation),
        save=lambda form, version: programme_actions.update_organisation(
            organisation, form.values(), expected_version=version, acting_user=user),
        template="web/organisations/form.html", context={"organisation": organisation},
        done=_("The organisation was saved."), success=lambda: reverse("web:organisations"))
