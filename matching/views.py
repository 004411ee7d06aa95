"""The duplicate check on the registration form: an htmx partial listing likely and possible
duplicates of each member being entered, inside the user's scope (rules in matching.candidates);
and the duplicate review queue: the list of open pairs, the side-by-side comparison and the
decisions (rules in matching.review)."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

import jobs
from homeward.concurrency import StaleVersion
from jobs.models import Job
from matching import review
from matching.candidates import check, parse_query
from matching.models import DuplicatePair
from places.models import Municipality
from registry.actions import record_view
from registry.models import Person

MEMBER_FIELD = re.compile(r"^members-(\d+)-given_name$")
MAX_MEMBERS = 30
PERSON_FIELDS = ["given_name", "family_name", "father_name", "sex", "date_of_birth", "phone"]


def _member_rows(data):
    """The member rows of the registration form (members-N-given_name...), or one row of bare
    field names (given_name...) for a single-person form."""
    indexes = sorted({int(m[1]) for name in data if (m := MEMBER_FIELD.match(name))})[:MAX_MEMBERS]
    if not indexes:
        return [(0, {f: data.get(f, "") for f in PERSON_FIELDS})]
    return [
        (i, {f: data.get(f"members-{i}-{f}", "") for f in PERSON_FIELDS})
        for i in indexes
        if not data.get(f"members-{i}-DELETE")
    ]


def _origin(data):
    # The form's select sends a municipality id; a typed name or code (API style) works too.
    value = (data.get("origin_municipality") or "").strip()
    return (int(value), "") if value.isdigit() else (None, value)


@login_required
def candidates_partial(request):
    user = request.user
    if not user.sees_personal_data:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    place, origin_text = _origin(data)
    household_phone = data.get("phone", "") if any(MEMBER_FIELD.match(n) for n in data) else ""
    rows = []
    for index, values in _member_rows(data):
        if not (values["given_name"].strip() and values["family_name"].strip()):
            continue
        errors = []
        query = parse_query({**values, "origin_municipality": origin_text}, errors, place=place)
        if any(f in ("given_name", "family_name") for f, _m in errors):
            continue
        query.phones += (household_phone,)
        result = check(user, query, via="web")
        if result.candidates or result.outside_scope:
            rows.append({"number": index + 1, "name": f"{values['given_name']} {values['family_name']}",
                         "result": result})
    return render(request, "matching/_candidates.html", {"rows": rows})


# The duplicate review queue (matching.review) ----------------------------------------------------

BANDS = ("likely", "possible")
MATCH_JOB = "match"
# The score's fields (matching.score.compare) as the person page names them.
SCORE_FIELDS = {"given": gettext_lazy("Given name"), "family": gettext_lazy("Family name"),
                "father": gettext_lazy("Father's name"), "date_of_birth": gettext_lazy("Date or year of birth"),
                "sex": gettext_lazy("Sex"), "origin": gettext_lazy("Municipality of origin")}


def _reviewer(request):
    # Donors see aggregates only: for them the queue does not exist.
    if not request.user.sees_personal_data:
        raise Http404
    return request.user


def _pair_or_404(user, pk):
    pairs = DuplicatePair.objects.visible_to(user).select_related(
        "person_a__household", "person_b__household", "decided_by")
    return get_object_or_404(pairs, pk=pk)


def _latest_match_job(user):
    return Job.objects.visible_to(user).filter(kind=MATCH_JOB).order_by("-created_at", "-pk").first()


@login_required
def pair_list(request):
    user = _reviewer(request)
    pairs = DuplicatePair.objects.visible_to(user).filter(status=DuplicatePair.Status.OPEN).select_related(
        "person_a__household", "person_b__household").order_by("-score", "pk")
    band = request.GET.get("band", "")
    if band in BANDS:
        pairs = pairs.filter(band=band)
    place_text = request.GET.get("municipality", "").strip()
    place = None
    if place_text:
        place = Municipality.objects.lookup(place_text)  # a code or any of its names
        if place is None:
            messages.error(request, _("Unknown municipality %(m)s.") % {"m": place_text})
            pairs = pairs.none()
        else:
            # Either person's household, where it lives or where its case is handled.
            in_place = Q()
            for side in ("person_a__household__", "person_b__household__"):
                in_place |= Q(**{f"{side}current_municipality": place})
                in_place |= Q(**{f"{side}responsible_municipality": place})
            pairs = pairs.filter(in_place)
    page = Paginator(pairs, settings.HOMEWARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "matching/pairs.html", {
        "page": page, "band": band, "bands": BANDS, "place": place, "place_text": place_text,
        "municipalities": Municipality.objects.order_by("name_sq"), "query": query.urlencode(),
        "job": _latest_match_job(user), "may_decide": user.can_decide_selection,
    })


@login_required
@require_POST
def find_duplicates(request):
    """Start the search over the whole registry in the background, or show the one already under way."""
    user = _reviewer(request)
    if not user.can_decide_selection:
        raise Http404
    # One search at a time: two would race to store the same pairs, and the second adds nothing.
    running = Job.objects.filter(kind=MATCH_JOB, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
    if running is not None:
        if Job.objects.visible_to(user).filter(pk=running.pk).exists():
            return redirect("jobs:job", pk=running.pk)
        messages.info(request, _("A search for duplicates started by someone else is under way."))
        return redirect("review:pairs")
    job = jobs.enqueue(MATCH_JOB, {}, user)
    return redirect("jobs:job", pk=job.pk)


@login_required
def pair_detail(request, pk):
    user = _reviewer(request)
    pair = _pair_or_404(user, pk)
    for person in (pair.person_a, pair.person_b):
        record_view(user, person, via="web")
    comparison = review.comparison(pair)
    evidence = [(SCORE_FIELDS.get(field, field), level, bits) for field, level, bits in comparison.fields]
    return render(request, "matching/pair.html", {
        "pair": pair, "a": review.person_facts(user, pair.person_a), "b": review.person_facts(user, pair.person_b),
        "comparison": comparison, "evidence": evidence,
        "may_decide": user.can_decide_selection and pair.status == "open",
        "same_household": pair.person_a.household_id == pair.person_b.household_id,
    })


def _decision_failed(request, pair, error):
    for message in error.messages:
        messages.error(request, message)
    return redirect("review:pair", pk=pair.pk)


@login_required
@require_POST
def pair_not_duplicate(request, pk):
    user = _reviewer(request)
    pair = _pair_or_404(user, pk)
    try:
        review.mark_not_duplicate(pair, acting_user=user, reason=request.POST.get("reason", ""))
    except PermissionDenied as e:
        return _cannot_decide(request, pair, e)
    except ValidationError as e:
        return _decision_failed(request, pair, e)
    messages.success(request, _("Marked as not a duplicate."))
    return redirect("review:pairs")


def _cannot_decide(request, pair, error):
    # The refusal says why: the role (matching.review) or, for a merge, the clearance for
    # sensitive records (merges.actions).
    messages.error(request, str(error))
    return redirect("review:pair", pk=pair.pk)


@login_required
@require_POST
def pair_merge(request, pk):
    user = _reviewer(request)
    pair = _pair_or_404(user, pk)
    sides = {str(pair.person_a_id): pair.person_a, str(pair.person_b_id): pair.person_b}
    keep = sides.get(request.POST.get("keep", ""))
    if keep is None:
        return _decision_failed(request, pair, ValidationError({"keep": _("Choose one of the two persons to keep.")}))
    try:
        review.merge_pair(pair, keep=keep, acting_user=user, with_households=bool(request.POST.get("with_households")),
                          reason=request.POST.get("reason", ""))
    except PermissionDenied as e:
        return _cannot_decide(request, pair, e)
    except Person.DoesNotExist:
        raise Http404
    except StaleVersion:
        messages.error(request, _("One of the two persons was changed meanwhile; compare them again."))
        return redirect("review:pair", pk=pair.pk)
    except ValidationError as e:
        return _decision_failed(request, pair, e)
    messages.success(request, _("Merged: %(ref)s is kept.") % {"ref": keep.ref})
    return redirect("web:person", pk=keep.pk)
