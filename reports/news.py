"""News in brief: a short paragraph on what a programme did in a period, in the style of the
"News in Brief" of IOM Kosovo's newsletters ("… reconstructed 30 houses for 30 families … In
addition, 30 income generation projects were implemented, including: ten production-based and
20 service-based …"), in English, Albanian and Serbian (Latin and Cyrillic).

Every number comes from the computed figures (`figures`): reach, houses handed over, income
generation grants by sector, other deliveries by type, activities and completed community
projects. None is typed in; a sentence whose figure is zero is left out.

The sentences are written here, one dict per language, not in .po files: a sentence is a tuple
of plural forms chosen by its leading number (English and Albanian: one, other; Serbian: one,
few, many, as "1 kuća, 2 kuće, 5 kuća" and the verb agreeing with them). Serbian Cyrillic is
the Serbian Latin text transliterated by homeward.text.to_cyrillic; the programme's own code
and name are kept as written.
"""

import datetime

from django.db.models import Count

from accounts.models import Role
from activities.models import Attendance
from assistance.models import HouseDetail, IncomeGrantDetail, Milestone
from homeward.text import to_cyrillic
from reports import indicators
from reports.dashboard import published
from reports.reach import reach
from reports.suppression import small

LANGUAGES = ("en", "sq", "sr-latn", "sr")
HOUSE_TYPES = {"house_construction": "built", "house_reconstruction": "rebuilt"}
GRANT_TYPE = "income_generation_grant"


def _one_other(n):
    return 0 if n == 1 else 1


def _serbian(n):
    """one (1, 21, 101), few (2–4, 22–24; not 12–14), many (the rest)."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


EN = {
    "plural": _one_other,
    "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"),
    "date": "{d} {month} {y}",
    "year": "In {year}",
    "range": "From {since} to {on}",
    "until": "Up to {on}",
    "programme": "the {code} programme “{name}”",
    "and": " and ",
    "household": ("household", "households"),
    "family": ("family", "families"),
    "reach": ("{period}, {programme} assisted {n} individual directly and {indirect} indirectly, in {households}.",
              "{period}, {programme} assisted {n} individuals directly and {indirect} indirectly, in {households}."),
    "reach_direct": ("{period}, {programme} assisted {n} individual directly, in {households}.",
                     "{period}, {programme} assisted {n} individuals directly, in {households}."),
    "built": ("{n} house was built and handed over to {families}.",
              "{n} houses were built and handed over to {families}."),
    "rebuilt": ("{n} house was reconstructed and handed over to {families}.",
                "{n} houses were reconstructed and handed over to {families}."),
    "moved_in": ("{n} family has already moved in.", "{n} families have already moved in."),
    "grants": ("In addition, {n} income generation project was implemented{sectors}.",
               "In addition, {n} income generation projects were implemented{sectors}."),
    "including": ", including: {list}",
    "sectors": {"production": "{n} production-based", "service": "{n} service-based",
                "agriculture": "{n} in agriculture"},
    "deliveries": ("The programme also made {n} other delivery of assistance: {list}.",
                   "The programme also made {n} other deliveries of assistance: {list}."),
    "activities": ("{n} activity was held{types}{participants}.", "{n} activities were held{types}{participants}."),
    "participants": (", with {n} participant", ", with {n} participants"),
    "projects": ("{n} community project was completed{types}{catchment}.",
                 "{n} community projects were completed{types}{catchment}."),
    "catchment": (", serving {n} person", ", serving {n} people"),
    "activity_types": {
        "training": "training", "information_meeting": "information meeting",
        "public_presentation": "public presentation", "go_and_see_visit": "go-and-see visit",
        "round_table": "round table", "conference": "conference", "b2b_meeting": "B2B meeting",
        "study_visit": "study visit", "forum": "forum", "workshop": "workshop"},
    "project_types": {
        "clinic": "clinic", "school": "school", "bridge": "bridge", "road": "road", "sewage": "sewage system",
        "water_supply": "water supply", "public_lighting": "public lighting", "youth_centre": "youth centre",
        "riverbed": "riverbed", "community_event": "community event"},
    "type_name": "name_en",
}

SQ = {
    "plural": _one_other,
    "months": ("janar", "shkurt", "mars", "prill", "maj", "qershor", "korrik", "gusht", "shtator", "tetor",
               "nëntor", "dhjetor"),
    "date": "{d} {month} {y}",
    "year": "Në vitin {year}",
    "range": "Nga {since} deri më {on}",
    "until": "Deri më {on}",
    "programme": "programi {code} „{name}“",
    "and": " dhe ",
    "household": ("familje", "familje"),
    "family": ("familje", "familje"),
    "reach": ("{period}, {programme} ndihmoi drejtpërdrejt {n} person dhe tërthorazi {indirect}, në {households}.",
              "{period}, {programme} ndihmoi drejtpërdrejt {n} persona dhe tërthorazi {indirect}, në {households}."),
    "reach_direct": ("{period}, {programme} ndihmoi drejtpërdrejt {n} person, në {households}.",
                     "{period}, {programme} ndihmoi drejtpërdrejt {n} persona, në {households}."),
    "built": ("U ndërtua dhe u dorëzua {n} shtëpi për {families}.",
              "U ndërtuan dhe u dorëzuan {n} shtëpi për {families}."),
    "rebuilt": ("U rindërtua dhe u dorëzua {n} shtëpi për {families}.",
                "U rindërtuan dhe u dorëzuan {n} shtëpi për {families}."),
    "moved_in": ("{n} familje është vendosur tashmë në shtëpinë e saj.",
                 "{n} familje janë vendosur tashmë në shtëpitë e tyre."),
    "grants": ("Përveç kësaj, u zbatua {n} projekt për gjenerim të të ardhurave{sectors}.",
               "Përveç kësaj, u zbatuan {n} projekte për gjenerim të të ardhurave{sectors}."),
    "including": ", përfshirë: {list}",
    "sectors": {"production": "{n} në prodhim", "service": "{n} në shërbime", "agriculture": "{n} në bujqësi"},
    "deliveries": ("Programi bëri edhe {n} shpërndarje tjetër të ndihmës: {list}.",
                   "Programi bëri edhe {n} shpërndarje të tjera të ndihmës: {list}."),
    "activities": ("U mbajt {n} aktivitet{types}{participants}.", "U mbajtën {n} aktivitete{types}{participants}."),
    "participants": (", me {n} pjesëmarrës", ", me {n} pjesëmarrës"),
    "projects": ("U përfundua {n} projekt komunitar{types}{catchment}.",
                 "U përfunduan {n} projekte komunitare{types}{catchment}."),
    "catchment": (", në dobi të {n} banori", ", në dobi të {n} banorëve"),
    "activity_types": {
        "training": "trajnim", "information_meeting": "takim informues", "public_presentation": "prezantim publik",
        "go_and_see_visit": "vizitë „shko e shih“", "round_table": "tryezë e rrumbullakët",
        "conference": "konferencë", "b2b_meeting": "takim biznes me biznes", "study_visit": "vizitë studimore",
        "forum": "forum", "workshop": "punëtori"},
    "project_types": {
        "clinic": "ambulancë", "school": "shkollë", "bridge": "urë", "road": "rrugë", "sewage": "kanalizim",
        "water_supply": "furnizim me ujë", "public_lighting": "ndriçim publik", "youth_centre": "qendër rinore",
        "riverbed": "shtrat lumi", "community_event": "ngjarje komunitare"},
    "type_name": "name_sq",
}

SR_LATN = {
    "plural": _serbian,
    "months": ("januara", "februara", "marta", "aprila", "maja", "juna", "jula", "avgusta", "septembra",
               "oktobra", "novembra", "decembra"),
    "date": "{d}. {month} {y}.",
    "year": "U {year}. godini",
    "range": "U periodu od {since} do {on}",
    "until": "Do {on}",
    "programme": "program {code} „{name}“",
    "and": " i ",
    # After "u" (locative) and "za" (accusative): the case the sentences put them in.
    "household": ("domaćinstvu", "domaćinstva", "domaćinstava"),
    "family": ("porodicu", "porodice", "porodica"),
    "reach": ("{period}, {programme} je direktno pomogao {n} osobu, a indirektno {indirect}, u {households}.",
              "{period}, {programme} je direktno pomogao {n} osobe, a indirektno {indirect}, u {households}.",
              "{period}, {programme} je direktno pomogao {n} osoba, a indirektno {indirect}, u {households}."),
    "reach_direct": ("{period}, {programme} je direktno pomogao {n} osobu, u {households}.",
                     "{period}, {programme} je direktno pomogao {n} osobe, u {households}.",
                     "{period}, {programme} je direktno pomogao {n} osoba, u {households}."),
    "built": ("Izgrađena je i predata {n} kuća za {families}.", "Izgrađene su i predate {n} kuće za {families}.",
              "Izgrađeno je i predato {n} kuća za {families}."),
    "rebuilt": ("Obnovljena je i predata {n} kuća za {families}.", "Obnovljene su i predate {n} kuće za {families}.",
                "Obnovljeno je i predato {n} kuća za {families}."),
    "moved_in": ("{n} porodica se već uselila.", "{n} porodice su se već uselile.", "{n} porodica se već uselilo."),
    "grants": ("Pored toga, realizovan je {n} projekat za ostvarivanje prihoda{sectors}.",
               "Pored toga, realizovana su {n} projekta za ostvarivanje prihoda{sectors}.",
               "Pored toga, realizovano je {n} projekata za ostvarivanje prihoda{sectors}."),
    "including": ", uključujući: {list}",
    "sectors": {"production": "{n} u proizvodnji", "service": "{n} u uslužnim delatnostima",
                "agriculture": "{n} u poljoprivredi"},
    "deliveries": ("Program je izvršio i još {n} isporuku pomoći: {list}.",
                   "Program je izvršio i još {n} isporuke pomoći: {list}.",
                   "Program je izvršio i još {n} isporuka pomoći: {list}."),
    "activities": ("Održana je {n} aktivnost{types}{participants}.",
                   "Održane su {n} aktivnosti{types}{participants}.",
                   "Održano je {n} aktivnosti{types}{participants}."),
    "participants": (", sa {n} učesnikom", ", sa {n} učesnika", ", sa {n} učesnika"),
    "projects": ("Završen je {n} projekat u zajednici{types}{catchment}.",
                 "Završena su {n} projekta u zajednici{types}{catchment}.",
                 "Završeno je {n} projekata u zajednici{types}{catchment}."),
    "catchment": (", za {n} stanovnika", ", za {n} stanovnika", ", za {n} stanovnika"),
    "activity_types": {
        "training": "obuka", "information_meeting": "informativni sastanak",
        "public_presentation": "javna prezentacija",
        "go_and_see_visit": "poseta „idi i vidi“", "round_table": "okrugli sto", "conference": "konferencija",
        "b2b_meeting": "B2B sastanak", "study_visit": "studijska poseta", "forum": "forum", "workshop": "radionica"},
    "project_types": {
        "clinic": "ambulanta", "school": "škola", "bridge": "most", "road": "put", "sewage": "kanalizacija",
        "water_supply": "vodovod", "public_lighting": "javna rasveta", "youth_centre": "omladinski centar",
        "riverbed": "rečno korito", "community_event": "događaj u zajednici"},
    "type_name": "name_sr_latn",
}

TEXT = {"en": EN, "sq": SQ, "sr-latn": SR_LATN, "sr": SR_LATN}


# --- the figures -----------------------------------------------------------------------------

def _counts(queryset, field):
    return {row[field]: row["n"] for row in queryset.order_by().values(field).annotate(n=Count("pk", distinct=True))
            if row["n"]}


def figures(basis):
    """count_figures, kept for a large registry like reach (reports.cache)."""
    from reports.cache import cached

    # What the viewer may read changes the figures: a donor's reach is suppressed, and medical
    # help is named only to users cleared for it.
    return cached("news", basis, (basis.user.role == Role.DONOR, basis.user.sensitive))


def count_figures(basis):
    """Everything the paragraph says, computed over `basis` (the dashboard's viewer and period)."""
    user = basis.user
    result = {"reach": published(reach(basis), user)}

    # The indicator measure's own query: a house counts when its handed_over milestone falls in
    # the period (its indicator argument is not read).
    houses = indicators.houses_handed_over(None, basis)
    result["houses"] = {}
    for code, kind in HOUSE_TYPES.items():
        of_kind = houses.filter(delivery__type__code=code)
        n = of_kind.values("pk").distinct().count()
        if n:
            families = of_kind.values("delivery__household_id").distinct().count()
            result["houses"][kind] = {"houses": n, "families": families}
    result["moved_in"] = HouseDetail.objects.filter(
        pk__in=houses.values("pk"), milestones__milestone=Milestone.FAMILY_MOVED_IN,
        milestones__date__lte=basis.on).distinct().count()

    grants = basis.deliveries().filter(type__code=GRANT_TYPE)
    result["grants"] = grants.count()
    result["grant_sectors"] = _counts(IncomeGrantDetail.objects.filter(delivery__in=grants), "sector")

    others = basis.deliveries().exclude(type__code__in=[*HOUSE_TYPES, GRANT_TYPE])
    if not user.sensitive:
        # Medical and psychosocial help is named only to users cleared for it.
        others = others.filter(type__sensitive=False)
    by_type = (others.order_by().values("type__code", "type__name_en", "type__name_sq", "type__name_sr_latn")
               .annotate(n=Count("pk")).order_by("-n", "type__code"))
    result["deliveries"] = [{"code": r["type__code"], "n": r["n"], "name_en": r["type__name_en"],
                             "name_sq": r["type__name_sq"], "name_sr_latn": r["type__name_sr_latn"]} for r in by_type]

    activities = basis.activities()
    result["activities"] = activities.count()
    result["activity_types"] = _counts(activities, "type")
    # Attendees who attended and the anonymous counts, as the participants indicator counts them.
    anonymous = result["reach"]["participants"]["total"]
    result["participants"] = anonymous + Attendance.objects.filter(activity__in=activities, attended=True).count()

    projects = basis.completed_projects()
    result["projects"] = projects.count()
    result["project_types"] = _counts(projects, "type")
    result["catchment"] = result["reach"]["catchment_population"]
    if user.role == Role.DONOR:
        withhold_small(result)
    return result


def withhold_small(result):
    """A donor's paragraph says nothing of 1 to 4 houses, families, grants or deliveries of a
    kind: as in reach, a count that small can point at a family."""
    result["houses"] = {kind: n for kind, n in result["houses"].items()
                        if not (small(n["houses"]) or small(n["families"]))}
    if small(result["moved_in"]):
        result["moved_in"] = 0
    if small(result["grants"]):
        result["grants"] = 0
    result["grant_sectors"] = {sector: n for sector, n in result["grant_sectors"].items()
                               if result["grants"] and not small(n)}
    result["deliveries"] = [d for d in result["deliveries"] if not small(d["n"])]


# --- the paragraph ---------------------------------------------------------------------------

def _form(text, n, forms):
    return forms[text["plural"](n)]


def _count(text, noun, n):
    return f"{n} {_form(text, n, text[noun])}"


def _list(text, items):
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + text["and"] + items[-1]


def _lower_first(name):
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _date(text, day):
    return text["date"].format(d=day.day, month=text["months"][day.month - 1], y=day.year)


def _period(text, since, on):
    if since and since == datetime.date(since.year, 1, 1) and on == datetime.date(since.year, 12, 31):
        return text["year"].format(year=since.year)
    if since:
        return text["range"].format(since=_date(text, since), on=_date(text, on))
    return text["until"].format(on=_date(text, on))


# The programme's code and name are the programme's own: kept out of transliteration.
_CODE, _NAME = "\x02", "\x03"


def sentences(programme, numbers, language, *, since, on):
    text = TEXT[language]
    out = []
    reached = numbers["reach"]
    direct, indirect = reached["direct"], reached["indirect"]
    if direct:  # None when suppressed for a donor: then the sentence is left out too
        key = "reach" if indirect else "reach_direct"
        out.append(_form(text, direct, text[key]).format(
            period=_period(text, since, on), programme=text["programme"].format(code=_CODE, name=_NAME),
            n=direct, indirect=indirect, households=_count(text, "household", reached["households"])))
    for kind in ("built", "rebuilt"):
        house = numbers["houses"].get(kind)
        if house:
            out.append(_form(text, house["houses"], text[kind]).format(
                n=house["houses"], families=_count(text, "family", house["families"])))
    if numbers["moved_in"]:
        out.append(_form(text, numbers["moved_in"], text["moved_in"]).format(n=numbers["moved_in"]))
    if numbers["grants"]:
        sectors = [text["sectors"][s].format(n=numbers["grant_sectors"][s])
                   for s in text["sectors"] if numbers["grant_sectors"].get(s)]
        out.append(_form(text, numbers["grants"], text["grants"]).format(
            n=numbers["grants"], sectors=text["including"].format(list=_list(text, sectors)) if sectors else ""))
    if numbers["deliveries"]:
        total = sum(d["n"] for d in numbers["deliveries"])
        items = [f"{_lower_first(d[text['type_name']])} ({d['n']})" for d in numbers["deliveries"]]
        out.append(_form(text, total, text["deliveries"]).format(n=total, list=", ".join(items)))
    if numbers["activities"]:
        types = [f"{text['activity_types'][t]}: {n}" for t, n in sorted(numbers["activity_types"].items())]
        participants = numbers["participants"]
        out.append(_form(text, numbers["activities"], text["activities"]).format(
            n=numbers["activities"], types=f" ({', '.join(types)})" if types else "",
            participants=_form(text, participants, text["participants"]).format(n=participants)
            if participants else ""))
    if numbers["projects"]:
        types = [f"{text['project_types'][t]}: {n}" for t, n in sorted(numbers["project_types"].items())]
        catchment = numbers["catchment"]
        out.append(_form(text, numbers["projects"], text["projects"]).format(
            n=numbers["projects"], types=f" ({', '.join(types)})" if types else "",
            catchment=_form(text, catchment, text["catchment"]).format(n=catchment) if catchment else ""))
    paragraph = " ".join(out)
    if language == "sr":
        paragraph = to_cyrillic(paragraph)
    return paragraph.replace(_CODE, programme.code).replace(_NAME, programme.name)


def news_in_brief(programme, basis, language="en"):
    """The paragraph for `programme` over `basis` (its programmes, period and viewer), in
    `language` (one of LANGUAGES); empty when nothing happened."""
    if language not in TEXT:
        raise ValueError(language)
    return sentences(programme, figures(basis), language, since=basis.since, on=basis.on)
