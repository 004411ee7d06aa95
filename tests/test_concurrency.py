"""Versioned records: two editors of the same record never silently overwrite each other."""

import threading

import pytest
from django.db import close_old_connections, connection

from audit.models import AuditEntry
from homeward.concurrency import StaleVersion
from registry import actions
from registry.models import Person


def test_it_refuses_a_save_based_on_an_old_version(world):
    first = Person.objects.get(ref="H-KL-1-3")
    second = Person.objects.get(ref="H-KL-1-3")  # loaded by another editor at the same version
    actions.update_person(first, {"given_name": "Arbër"}, expected_version=first.version, acting_user=world.klara)
    with pytest.raises(StaleVersion) as stale:
        actions.update_person(second, {"father_name": "Agim"}, expected_version=second.version,
                              acting_user=world.sara)
    assert stale.value.current.given_name == "Arbër"
    stored = Person.objects.get(ref="H-KL-1-3")
    assert (stored.given_name, stored.father_name, stored.version) == ("Arbër", "", 2)
    assert AuditEntry.objects.filter(action="update").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_loses_no_update_when_editors_save_at_once(world):
    """Eight editors each add their own mark to the same person's phone field at the same time,
    re-reading and retrying when told their copy is stale. Every mark must survive."""
    person_id = Person.objects.get(ref="H-KL-1-1").pk
    editors = [world.klara, world.sara, world.ada] * 3
    editors = editors[:8]
    barrier = threading.Barrier(len(editors))
    failures = []

    def edit(n, user):
        try:
            barrier.wait()
            for _attempt in range(100):
                person = Person.objects.get(pk=person_id)
                try:
                    actions.update_person(person, {"phone": person.phone + str(n)},
                                          expected_version=person.version, acting_user=user)
                    return
                except StaleVersion:
                    continue
            failures.append(f"editor {n} never got a turn")
        except Exception as e:  # noqa: BLE001 - reported below, a thread must not die silently
            failures.append(repr(e))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=edit, args=(n, u)) for n, u in enumerate(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    stored = Person.objects.get(pk=person_id)
    assert sorted(stored.phone) == sorted("".join(str(n) for n in range(len(editors))))
    assert stored.version == 1 + len(editors)
    assert AuditEntry.objects.filter(action="update", object_id=str(person_id)).count() == len(editors)
