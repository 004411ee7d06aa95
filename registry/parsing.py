"""Turns wire values (registry file cells, API JSON) into model values, naming every bad field.

Both the importer (contract section 3) and the API (section 4) read persons and households with
these functions, so a value is accepted or refused the same way on every path.
"""

import datetime
import re

from django.utils.translation import gettext as _

from places.models import DISPLACEMENT_STATUSES, Community, Country, Municipality, find_municipality
from registry.models import Household, Person

RELATIONSHIPS = {c for c, _label in Person.Relationship.choices}
STATUSES = {c for c, _label in DISPLACEMENT_STATUSES}
YEAR = re.compile(r"^\d{4}$")


class Lookups:
    """Reference rows cached for one parse run (an import of 10,000 rows looks up 38 municipalities)."""

    def __init__(self):
        self.countries = {c.code: c for c in Country.objects.all()}
        self.communities = {c.code: c for c in Community.objects.all()}
        self.municipalities = list(Municipality.objects.select_related("district"))
        self._by_text = {}

    def municipality(self, text):
        if text not in self._by_text:
            self._by_text[text] = find_municipality(self.municipalities, text)
        return self._by_text[text]


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date_of_birth(value):
    """`YYYY-MM-DD`, or `YYYY` when only the year is known. Returns (date, year) or raises ValueError."""
    if isinstance(value, datetime.datetime):
        return value.date(), value.year
    if isinstance(value, datetime.date):
        return value, value.year
    text = _text(value)
    if not text:
        return None, None
    if YEAR.match(text):
        return None, int(text)
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("Use YYYY-MM-DD, or YYYY when only the year is known."))
    return day, day.year


def parse_person(data, lookups, errors, prefix=""):
    """An unsaved Person from `data`; problems are appended to `errors` as (field, message)."""

    def bad(field, message):
        errors.append((f"{prefix}{field}", message))

    values = {}
    for field in ("ref", "given_name", "family_name", "father_name", "phone"):
        values[field] = _text(data.get(field))
    for field in ("given_name", "family_name"):
        if not values[field]:
            bad(field, _("This field is required."))
    relationship = _text(data.get("relationship")).lower()
    if relationship not in RELATIONSHIPS:
        bad("relationship", _("Use one of: %(v)s.") % {"v": ", ".join(sorted(RELATIONSHIPS))})
    sex = _text(data.get("sex")).upper()
    if sex not in ("F", "M"):
        bad("sex", _("Use F or M."))
    status = _text(data.get("displacement_status")).lower()
    if status not in STATUSES:
        bad("displacement_status", _("Use one of: %(v)s.") % {"v": ", ".join(sorted(STATUSES))})
    try:
        dob, year = parse_date_of_birth(data.get("date_of_birth"))
        if year and not 1890 <= year <= datetime.date.today().year:
            raise ValueError(_("The birth year is not plausible."))
        if dob and dob > datetime.date.today():
            raise ValueError(_("The date of birth is in the future."))
    except ValueError as e:
        bad("date_of_birth", str(e))
        dob, year = None, None
    community = None
    code = _text(data.get("community")).upper()
    if code:
        community = lookups.communities.get(code)
        if community is None:
            bad("community", _("Unknown community code %(c)s.") % {"c": code})
    person = Person(
        ref=values["ref"], relationship=relationship, given_name=values["given_name"],
        family_name=values["family_name"], father_name=values["father_name"], sex=sex,
        date_of_birth=dob, birth_year=year, community=community, displacement_status=status,
        phone=values["phone"],
    )
    person.id_number = _text(data.get("id_number"))
    return person


def parse_household_place(data, lookups, errors, prefix=""):
    """Origin and current location of a household from wire values: (dict of model values)."""

    def bad(field, message):
        errors.append((f"{prefix}{field}", message))

    values = {}
    for field in ("origin_municipality", "current_municipality"):
        text = _text(data.get(field))
        values[field] = None
        if text:
            values[field] = lookups.municipality(text)
            if values[field] is None:
                bad(field, _("Unknown municipality %(m)s.") % {"m": text})
    country = _text(data.get("current_country")).upper()
    values["current_country"] = lookups.countries.get(country)
    if not country:
        bad("current_country", _("This field is required."))
    elif values["current_country"] is None:
        bad("current_country", _("Unknown country code %(c)s (ISO 3166 alpha-2, XK for Kosovo).") % {"c": country})
    elif country != "XK" and values["current_municipality"] is not None:
        bad("current_municipality", _("A municipality is given only when the current country is Kosovo."))
    return values


def new_household(values, ref=""):
    return Household(ref=ref, **values)
