"""Reference data: countries, Kosovo's districts and municipalities, communities."""

from functools import lru_cache

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from homeward.text import plain, to_cyrillic


class Country(models.Model):
    code = models.CharField(max_length=2, unique=True)  # ISO 3166 alpha-2; XK for Kosovo
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name_en


class District(models.Model):
    code = models.CharField(max_length=4, unique=True)
    name_sq = models.CharField(max_length=100)
    name_sr_latn = models.CharField(max_length=100)
    name_sr_cyrl = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name_sq


@lru_cache(maxsize=256)
def _keys(names):
    # Folding some 200 names on every look-up was half the time of a registration check; the
    # names are reference data, so their folded forms are kept per set of names.
    return frozenset(plain(n) for n in names)


def find_municipality(municipalities, text):
    """The municipality among `municipalities` named by code (M18) or by any of its names in any
    script, with or without diacritics (Klinë, Klina, Клина, kline); None when nothing matches."""
    key = plain(text or "")
    if not key:
        return None
    code = key.upper().replace(" ", "")
    return next((m for m in municipalities if m.code == code or key in m.keys()), None)


def place_name(name_sq, name_sr_latn, name_sr_cyrl, language=None):
    """Albanian/Serbian, as documents write it: Klinë/Klina; Serbian in Cyrillic for the Cyrillic
    interface; one name when both are the same (Prizren). From the names alone, for lists that
    read them as plain values."""
    language = language or get_language() or "en"
    serbian = name_sr_cyrl if language == "sr" else name_sr_latn
    if serbian == name_sq:
        return name_sq
    return f"{name_sq}/{serbian}"


_rows = {}


def _reference_rows(model, pk=None):
    """Every row of the Country, Municipality or Community table as {key: dict of its columns}, in
    the model's order, read once per process; read again when it is empty (a test database being
    set up) or lacks `pk`. They are reference data, written by the migrations and by no path of the
    application: a page of households read them through four joins, whose planning was a fifth of
    PostgreSQL's time for the page and their building a tenth of the server's, and the list's
    filter read the municipalities on every search."""
    rows = _rows.get(model)
    if not rows or (pk is not None and pk not in rows):
        rows = _rows[model] = {row["id"]: row for row in model.objects.values()}
    return rows


def reference(model, pk):
    """The row (a dict of its columns) of the reference record with key `pk`, or None."""
    return None if pk is None else _reference_rows(model, pk).get(pk)


def code_of(model, pk):
    row = reference(model, pk)
    return row["code"] if row else None


def municipality_names():
    """(code, Albanian, Serbian Latin, Serbian Cyrillic name) of every municipality, by Albanian
    name (the model's order), for the lists' filters."""
    return [(m["code"], m["name_sq"], m["name_sr_latn"], m["name_sr_cyrl"]) for m in _reference_rows(Municipality).values()]


class MunicipalityQuerySet(models.QuerySet):
    def lookup(self, text):
        return find_municipality(self.all(), text)


class Municipality(models.Model):
    code = models.CharField(max_length=4, unique=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="municipalities")
    name_sq = models.CharField(max_length=100)
    name_sq_definite = models.CharField(max_length=100)
    name_sr_latn = models.CharField(max_length=100)
    name_sr_cyrl = models.CharField(max_length=100)
    other_names = models.CharField(max_length=300, blank=True)  # ";"-separated, as in the reference file
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name_sq"]
        verbose_name_plural = "municipalities"

    def __str__(self):
        return self.display_name()

    def all_names(self):
        names = [self.name_sq, self.name_sq_definite, self.name_sr_latn, self.name_sr_cyrl]
        names += [n for n in self.other_names.split(";") if n.strip()]
        return names

    def keys(self):
        return _keys(tuple(self.all_names()))

    def display_name(self, language=None):
        return place_name(self.name_sq, self.name_sr_latn, self.name_sr_cyrl, language)


class Community(models.Model):
    # Roma, Ashkali and Egyptian are three communities and stay three values.
    code = models.CharField(max_length=3, unique=True)
    name_en = models.CharField(max_length=60)
    name_sq = models.CharField(max_length=60)
    name_sr_latn = models.CharField(max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "communities"

    def __str__(self):
        return self.display_name()

    def display_name(self, language=None):
        language = language or get_language() or "en"
        if language == "sq":
            return self.name_sq
        if language == "sr":
            return to_cyrillic(self.name_sr_latn)
        if language == "sr-latn":
            return self.name_sr_latn
        return self.name_en


DISPLACEMENT_STATUSES = [
    ("idp", _("Internally displaced person")),
    ("refugee", _("Refugee")),
    ("returnee", _("Returnee")),
    ("avrr", _("Assisted voluntary returnee")),
    ("repatriated", _("Repatriated person")),
    ("asylum_seeker", _("Asylum seeker")),
    ("foreigner", _("Foreigner")),
    ("host", _("Host community member")),
]
