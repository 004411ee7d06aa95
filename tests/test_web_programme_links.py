"""A programme's page leads to its assistance, houses, budget and activities; a donor's only to
the figures without persons."""


def links(client, user, code="RRK"):
    client.force_login(user)
    html = client.get(f"/programmes/{code}/").content.decode()
    return {name for name, url in (("assistance", "/assistance/?programme=RRK"), ("houses", "/programmes/RRK/houses/"),
                                   ("budget", "/programmes/RRK/budget/"), ("activities", "/activities/?programme=RRK"))
            if f'href="{url}"' in html}


def test_a_manager_reaches_every_page_of_the_programme(client, world):
    assert links(client, world.marko) == {"assistance", "houses", "budget", "activities"}
    for url in ("/assistance/?programme=RRK", "/programmes/RRK/houses/", "/programmes/RRK/budget/",
                "/activities/?programme=RRK"):
        assert client.get(url).status_code == 200, url


def test_a_donor_is_led_only_to_pages_without_persons(client, world):
    assert links(client, world.dona) == {"budget", "activities"}
