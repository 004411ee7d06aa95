"""Reference data: places are found by any name in any script and shown as Albanian/Serbian."""

import pytest
from django.utils import translation

from places.models import Community, Country, District, Municipality
from registry.models import VulnerabilityCategory


@pytest.mark.parametrize("name", ["Klinë", "Klina", "Клина", "kline", "KLINA", "M18", "m18"])
def test_it_finds_klina_by_any_name(db, name):
    assert Municipality.objects.lookup(name).code == "M18"


@pytest.mark.parametrize("name,code", [("Gjakova", "M19"), ("Đakovica", "M19"), ("Djakovica", "M19"),
                                       ("Ђаковица", "M19"), ("Ljipjane", "M04"), ("Kosovo Polje", "M05"),
                                       ("Fushë Kosova", "M05"), ("Glogovac", "M03"), ("Elez Han", "M32")])
def test_it_finds_municipalities_by_serbian_names_and_aliases(db, name, code):
    assert Municipality.objects.lookup(name).code == code


def test_it_finds_nothing_for_an_unknown_place(db):
    assert Municipality.objects.lookup("Atlantis") is None
    assert Municipality.objects.lookup("") is None


def test_it_shows_places_as_albanian_slash_serbian(db):
    kline, prizren = Municipality.objects.get(code="M18"), Municipality.objects.get(code="M23")
    assert kline.display_name("en") == "Klinë/Klina"
    assert kline.display_name("sr") == "Klinë/Клина"
    assert prizren.display_name("sq") == "Prizren"
    with translation.override("sr-latn"):
        assert str(Municipality.objects.get(code="M24")) == "Dragash/Dragaš"


def test_the_reference_data_is_complete(db):
    assert Municipality.objects.count() == 38
    assert District.objects.count() == 7
    assert Country.objects.get(code="XK").name_en == "Kosovo"
    assert {"ROM", "ASH", "EGY"} <= set(Community.objects.values_list("code", flat=True))  # never merged
    assert Municipality.objects.exclude(latitude=None).count() == 38


def test_sensitive_vulnerability_categories_are_marked(db):
    sensitive = set(VulnerabilityCategory.objects.filter(sensitive=True).values_list("code", flat=True))
    assert sensitive == {"trafficking_survivor", "gbv_survivor", "medical_condition", "psychosocial_need",
                         "child_protection", "unaccompanied_child", "disability"}


def test_community_names_follow_the_interface_language(db):
    ashkali = Community.objects.get(code="ASH")
    assert ashkali.display_name("sr") == "Ашкалија"
    assert ashkali.display_name("sq") == "Ashkali"
