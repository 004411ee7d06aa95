"""The duplicate check on the registration form: an htmx partial listing likely and possible
duplicates of each member being entered, inside the user's scope (rules in matching.candidates)."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from matching.candidates import check, parse_query

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
