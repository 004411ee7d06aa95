"""Organisations (donors, implementing agencies, partners, government bodies): every user reads
them; managers and admins add and change them, audited, with stale saves caught."""

from audit.models import AuditEntry
from programmes.models import Organisation


def test_every_role_sees_the_organisations_and_only_managers_may_change_them(client, world):
    for user in (world.klara, world.dona, world.aida, world.mira):
        client.force_login(user)
        html = client.get("/organisations/").content.decode()
        assert "Božur" in html and "International Organization for Migration" in html
        assert client.get("/organisations/new/").status_code == 404
        assert client.get(f"/organisations/{world.eu.pk}/edit/").status_code == 404
        assert client.post("/organisations/new/", {"name": "X", "kind": "partner"}).status_code == 404
    assert not Organisation.objects.filter(name="X").exists()


def test_it_filters_by_kind(client, world):
    client.force_login(world.klara)
    html = client.get("/organisations/?kind=donor").content.decode()
    assert "European Union" in html and "Božur" not in html


def test_a_manager_adds_a_partner_with_an_audit_row(client, world):
    client.force_login(world.marko)
    response = client.post("/organisations/new/", {"name": "Caritas Kosova", "short_name": "Caritas",
                                                   "kind": "partner", "country": "XK"})
    assert response.status_code == 302
    caritas = Organisation.objects.get(name="Caritas Kosova")
    assert (caritas.kind, caritas.country.code) == ("partner", "XK")
    entry = AuditEntry.objects.get(model="programmes.organisation", object_id=str(caritas.pk))
    assert entry.actor == world.marko and entry.changes["name"] == [None, "Caritas Kosova"]


def test_it_names_the_field_when_the_name_is_taken_and_saves_nothing(client, world):
    client.force_login(world.marko)
    html = client.post("/organisations/new/", {"name": "Božur", "kind": "partner"}).content.decode()
    assert 'id="id_name"' in html and "already exists" in html
    assert Organisation.objects.filter(name="Božur").count() == 1


def test_a_stale_edit_shows_what_changed_and_keeps_the_input(client, world):
    client.force_login(world.marko)
    form = {"name": "Božur", "short_name": "", "kind": "partner", "country": "", "version": world.bozur.version}
    # Someone else renames it first.
    client.post(f"/organisations/{world.bozur.pk}/edit/", {**form, "short_name": "BZ"})
    html = client.post(f"/organisations/{world.bozur.pk}/edit/", {**form, "short_name": "Bozur NGO"}).content.decode()
    world.bozur.refresh_from_db()
    assert world.bozur.short_name == "BZ"
    assert 'role="alert"' in html and "BZ" in html and 'value="Bozur NGO"' in html
