"""The household list's filters show the choices as the user made them, in the user's language."""

import re

import pytest


def selected(html, name):
    select = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" selected>([^<]*)</option>', select)


def test_nothing_is_selected_without_a_filter_and_names_follow_the_language(client, world):
    world.ada.language = "sr"
    world.ada.save()
    client.force_login(world.ada)
    html = client.get("/households/").content.decode()
    for name in ("municipality", "programme", "status"):
        assert selected(html, name) == []
    assert '<option value="M18">Klinë/Клина</option>' in html
    assert '<option value="RRK-VI">RRK-VI</option>' in html
    assert 'value="CT"' not in html  # a sensitive programme, and Ada is not cleared for it


@pytest.mark.parametrize("given", ["M18", "m18", "Klina", "Клина", "kline"])
def test_a_municipality_chosen_by_code_or_any_name_filters_and_shows_chosen(client, world, given):
    client.force_login(world.ada)
    html = client.get("/households/", {"municipality": given}).content.decode()
    assert selected(html, "municipality") == [("M18", "Klinë/Klina")]
    assert "H-KL-1" in html and "H-DR-1" not in html


def test_an_unknown_municipality_is_named_in_the_error_and_nothing_is_chosen(client, world):
    client.force_login(world.ada)
    html = client.get("/households/", {"municipality": "Atlantis"}).content.decode()
    assert 'data-field="municipality"' in html and "Atlantis" in html
    assert selected(html, "municipality") == []


def test_a_programme_code_with_markup_is_offered_as_text(client, world):
    from programmes.models import Programme

    Programme.objects.create(code='X"<b>&', name="A code typed carelessly")
    client.force_login(world.ada)
    html = client.get("/households/", {"programme": 'x"<b>&'}).content.decode()
    assert selected(html, "programme") == [("X&quot;&lt;b&gt;&amp;", "X&quot;&lt;b&gt;&amp;")]
    assert "<b>" not in html.split('<select id="programme"')[1].split("</select>")[0]
