"""The household list's filters show the choices as the user made them, in the user's language."""

import re


def selected(html, name):
    select = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" selected>([^<]*)</option>', select)


def test_the_filters_keep_the_choices_made(client, world):
    client.force_login(world.ada)
    html = client.get("/households/", {"municipality": world.kline.pk, "programme": "rrk", "status": "applied"}).content.decode()
    assert selected(html, "municipality") == [(str(world.kline.pk), "Klinë/Klina")]
    assert selected(html, "programme") == [("RRK", "RRK")]  # typed in any case
    assert selected(html, "status") == [("applied", "Applied")]
    assert "H-KL-1" in html and "H-DR-1" not in html


def test_nothing_is_selected_without_a_filter_and_names_follow_the_language(client, world):
    world.ada.language = "sr"
    world.ada.save()
    client.force_login(world.ada)
    html = client.get("/households/").content.decode()
    for name in ("municipality", "programme", "status"):
        assert selected(html, name) == []
    assert f'<option value="{world.kline.pk}">Klinë/Клина</option>' in html
    assert '<option value="RRK-VI">RRK-VI</option>' in html
    assert 'value="CT"' not in html  # a sensitive programme, and Ada is not cleared for it
