"""A caseworker in Klinë, in a real browser: log in, register a household of two, find it again by
typing the name without diacritics and in Cyrillic, and open it. Part of it on a phone screen."""

import os
import re
from pathlib import Path

import pytest

from registry.models import Household

# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's Chromium at /usr/bin/chromium"),
    # The live server sees committed data only; serialized_rollback restores the reference data
    # (municipalities, categories) that the flush after a transactional test removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module", autouse=True)
def leave_reference_data_in_place(django_db_setup, django_db_blocker):
    """A transactional test ends with a flush, which also empties the reference tables the
    migrations filled; put them back so the transactional tests after this module find them."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def test_it_registers_and_finds_a_household_in_the_browser(browser, live_server, world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world.klara.set_password("correct horse battery")
    world.klara.save()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)

    page.goto(f"{live_server.url}/households/")
    assert "/login/" in page.url  # every page but the login needs a login
    page.fill("#id_username", "klara")
    page.fill("#id_password", "correct horse battery")
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/households/$"))

    page.click("nav >> text=Register")
    page.wait_for_url(re.compile(r"/households/new/$"))
    page.select_option("#id_current_municipality", label="Klinë/Klina")
    page.select_option("#id_origin_municipality", label="Klinë/Klina")
    page.fill("#id_members-0-given_name", "Qëndrim")
    page.fill("#id_members-0-family_name", "Krasniqi")
    page.select_option("#id_members-0-sex", "M")
    page.fill("#id_members-0-date_of_birth", "1984-03-12")
    page.select_option("#id_members-0-displacement_status", "returnee")

    page.click("text=Add a member")
    page.wait_for_selector("#id_members-1-given_name")
    assert page.input_value("#id_members-0-given_name") == "Qëndrim"  # the first row survived
    page.fill("#id_members-1-given_name", "Shpresa")
    page.fill("#id_members-1-family_name", "Krasniqi")
    page.select_option("#id_members-1-sex", "F")
    page.select_option("#id_members-1-relationship", "spouse")
    page.fill("#id_members-1-date_of_birth", "1987")
    page.select_option("#id_members-1-displacement_status", "returnee")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/households/\d+/$"))
    assert "Shpresa Krasniqi" in page.content()
    household = Household.objects.get(members__given_name="Qëndrim")
    assert household.members.count() == 2 and household.responsible_municipality == world.kline

    # On a phone: search as you type, without diacritics and in Cyrillic.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/households/")
    assert page.evaluate("typeof htmx") == "object"
    results = page.locator("#results")
    page.locator("#q").press_sequentially("qendrim krasniqi", delay=20)
    # The unfiltered list already shows the new household: wait for the narrowed result.
    page.wait_for_function("document.querySelector('#results').innerText.includes('1 household')")
    assert "Qëndrim Krasniqi" in results.inner_text() and "Agim" not in results.inner_text()
    assert "qendrim" in page.url  # the search is in the address, so it can be shared and reloaded

    page.fill("#q", "")
    page.locator("#q").press_sequentially("Краснићи", delay=20)
    page.wait_for_function("document.querySelector('#results').innerText.includes('2 households')")
    assert "Agim Krasniqi" in results.inner_text()
    assert "Qëndrim Krasniqi" in results.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing sticks out sideways on a phone

    page.click(f"#results >> text={household.ref}")
    page.wait_for_url(re.compile(rf"/households/{household.pk}/$"))
    assert "Qëndrim Krasniqi" in page.content() and "Shpresa Krasniqi" in page.content()
