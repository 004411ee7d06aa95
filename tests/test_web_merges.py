"""A manager sees the merges of persons in their scope and undoes one from the list."""

from merges.actions import merge_persons
from merges.models import Merge
from registry.models import Person
from tests.test_merges_fixtures import add_duplicate


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
    assert "undone by marko" in client.get("/duplicates/merges/").content.decode()


def test_others_cannot_see_or_undo_merges(client, world):
    w = add_duplicate(world)
    done = merge(w)
    for user in (w.klara, w.dona, w.aida, w.drita):
        client.force_login(user)
        assert client.get("/duplicates/merges/").status_code == 404
        assert client.post(f"/duplicates/merges/{done.pk}/undo/", {"reason": "x"}).status_code == 404
    assert Merge.objects.get(pk=done.pk).undone_at is None
