"""After two households are merged, the kept household's audit trail still shows what was done to
the one merged into it (audit rows are never rewritten, so the trail reads them under the old id)."""

from audit.models import record
from merges.actions import merge_persons, undo_merge
from tests.test_merges_fixtures import add_duplicate


def test_the_kept_households_trail_includes_the_merged_households_rows(client, world):
    w = add_duplicate(world)
    record(w.klara, "update", w.h_dup, changes={"notes": ["", "Came back from Subotica"]}, household_id=w.h_dup.pk)
    dup_pk = w.h_dup.pk
    merge = merge_persons(w.keep, w.drop, acting_user=w.ada, with_households=True, reason="same family registered twice")
    client.force_login(w.ada)
    html = client.get(f"/households/{w.h_kline.pk}/").content.decode()
    assert "Came back from Subotica" in html  # a change made to H-KL-3 before the merge
    assert client.get("/audit/", {"household": w.h_kline.pk}).content.decode().count("Came back from Subotica") >= 1

    undo_merge(merge, acting_user=w.ada, reason="two different families")
    html = client.get(f"/households/{w.h_kline.pk}/").content.decode()
    assert "Came back from Subotica" not in html
    assert "Came back from Subotica" in client.get(f"/households/{dup_pk}/").content.decode()
