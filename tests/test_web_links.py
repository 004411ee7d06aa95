"""Links reversed once (web.links) lead where reverse() does, under any script prefix."""

import re

from django.urls import clear_script_prefix, reverse, set_script_prefix

from web.links import link, link_to


def test_a_kept_link_is_the_route_reverse_gives():
    assert link("web:households") == reverse("web:households") == "/households/"
    for pk in (1, 7, 86420, 10**12):
        assert link_to("web:household", pk) == reverse("web:household", args=[pk])
        assert link_to("web:household_edit", pk) == reverse("web:household_edit", args=[pk])


def test_links_follow_the_script_prefix_they_are_served_under():
    set_script_prefix("/homeward/")
    try:
        assert link("web:households") == "/homeward/households/"
        assert link_to("web:household", 5) == "/homeward/households/5/"
    finally:
        clear_script_prefix()
    assert link_to("web:household", 5) == "/households/5/"


def test_the_household_list_links_each_household_and_the_header_links_the_pages(client, world):
    client.force_login(world.ada)
    html = client.get("/households/").content.decode()
    linked = set(re.findall(r'href="/households/(\d+)/"', html))
    assert linked == {str(h.pk) for h in (world.h_kline, world.h_dragash, world.h_serbia, world.h_sensitive)}
    for name in ("web:dashboard", "web:households", "web:programmes", "web:reports", "web:audit"):
        assert f'href="{reverse(name)}"' in html, name
    assert f'action="{reverse("web:logout")}"' in html
