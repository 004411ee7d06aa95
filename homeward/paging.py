"""A page of a list and the number of its matches, read in one query.

A list shows one page and how many records match. Counted apart, the database finds the matches
twice: once to count them, once to sort them and cut the page. So the first AT_ONCE keys are read
in one query together with the number of all matches (a window count, `COUNT(*) OVER ()`, which the
database takes from the rows it has found and sorted anyway); the pages within them are slices.
Only a page beyond them (page 21 of a common family name) is a query of its own.
"""

from django.db.models import Count, Window

AT_ONCE = 500


class Keys:
    """The primary keys of a queryset, in its order, as a sequence Django's Paginator can page: a
    count() and slices."""

    def __init__(self, queryset, at_once=None):
        # A window count over a DISTINCT query would count the rows before DISTINCT removes some.
        assert not queryset.query.distinct, "Keys: a DISTINCT queryset's count needs its own query"
        self.keys = queryset.values_list("pk", flat=True)
        self.counted = queryset.annotate(matches=Window(Count("pk"))).values_list("pk", "matches")
        self.at_once = at_once or AT_ONCE
        self._first = None
        self._count = None

    def _read_first(self):
        if self._first is None:
            rows = list(self.counted[: self.at_once])
            self._first = [pk for pk, _ in rows]
            self._count = rows[0][1] if rows else 0
        return self._first

    def count(self):
        self._read_first()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("Keys: only slices of consecutive keys")
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= self.at_once:
            return self._read_first()[start:stop]
        return list(self.keys[start:stop])
