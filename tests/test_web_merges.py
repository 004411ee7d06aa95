"""A manager sees the merges of persons in their scope and undoes one from the list."""

from merges.actions import merge_persons, undo_merge
from merges.models import Merge
from registry.models import Person
from tests.conftest import make_user
from tests.test_merges_fixtures import add_duplicate, merged_across_scopes


def merge(w):
    return merge_persons(w.keep, w.drop, acting_user=w.marko, with_households=True, reason="same man, same ID card")


def test_a_manager_lists_a_merge_and_undoes_it_with_a_reason(client, world):
    w = add_duplicate(world)
    done = merge(w)
    client.force_login(w.marko)
    html = client.get("/duplicates/merges/").content.decode()
    assert f'id="merge-{done.pk}"' in html and "same man, same ID card" in html and w.drop.ref in html

    client.post(f"/duplicates/merges/{done.pk}/undo/", {"reason": ""})
    assert Merge.objects.get(pk=done.pk).undone_at is None  # a reason is needed
    client.post(f"/duplicates/merges/{done.pk}/undo/", {"reason": "two cousins, not one man"})
    assert Merge.objects.get(pk=done.pk).undone_by == w.marko
    assert Person.objects.filter(pk=w.drop.pk, ref=w.drop.ref).exists()
    html = client.get("/duplicates/merges/").content.decode()
    assert "undone by marko" in html and w.drop.ref in html  # back in marko's scope: still named


def test_others_cannot_see_or_undo_merges(client, world):
    w = add_duplicate(world)
    done = merge(w)
    for user in (w.klara, w.dona, w.aida, w.drita):
        client.force_login(user)
        assert client.get("/duplicates/merges/").status_code == 404
        assert client.post(f"/duplicates/merges/{done.pk}/undo/", {"reason": "x"}).status_code == 404
    assert Merge.objects.get(pk=done.pk).undone_at is None


def test_it_hides_the_name_of_a_person_merged_back_outside_the_managers_scope(client, world):
    done, ilir = merged_across_scopes(world)
    kujtim = make_user("kujtim", "manager", municipalities=[world.kline])
    client.force_login(kujtim)
    # While the merge stands, Ilir is part of Arben's history, which kujtim may read.
    html = client.get("/duplicates/merges/").content.decode()
    assert f'id="merge-{done.pk}"' in html and ilir.ref in html and "Ilir" in html

    undo_merge(done, acting_user=world.ada, reason="two boys after all")
    # Undone, Ilir is a live record in Dragash again, outside kujtim's scope.
    html = client.get("/duplicates/merges/").content.decode()
    assert f'id="merge-{done.pk}"' in html and "undone by ada" in html
    assert ilir.ref not in html and "Ilir" not in html
    client.force_login(world.ada)
    assert ilir.ref in client.get("/duplicates/merges/").content.decode()
