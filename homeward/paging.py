"""A page of a list and the number of its matches, read in one query.

A list shows one page and how many records match. Counted apart, the database finds the matches
twice: once to count them, once to sort them and cut the page. So the page a request asks for is
read together with the number of all matches (a window count, `COUNT(*) OVER ()`, which the
database takes from the rows it has found and sorted anyway). Only a page beyond the last match
needs a count of its own.
"""

from django.db.models import Count, Window


class Keys:
    """The primary keys of a queryset, in its order, as a sequence Django's Paginator can page: a
    count() and slices. `start` and `stop` bound the slice the request will ask for; it is read
    with the count, any other slice is a query of its own."""

    def __init__(self, queryset, start, stop):
        # A window count over a DISTINCT query would count the rows before DISTINCT removes some.
        assert not queryset.query.distinct, "Keys: a DISTINCT queryset's count needs its own query"
        self.keys = queryset.values_list("pk", flat=True)
        self.counted = queryset.annotate(matches=Window(Count("pk"))).values_list("pk", "matches")
        self.start, self.stop = start, stop
        self._page = None
        self._count = None

    def _read_page(self):
        if self._page is None:
            rows = list(self.counted[self.start:self.stop])
            self._page = [pk for pk, _ in rows]
            if rows:
                self._count = rows[0][1]
            else:  # no match, or a page past the last one
                self._count = self.keys.count() if self.start else 0
        return self._page

    def count(self):
        self._read_page()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("Keys: only slices of consecutive keys")
        start, stop = index.start or 0, index.stop
        if self.start <= start and stop is not None and stop <= self.stop:
            return self._read_page()[start - self.start:stop - self.start]
        return list(self.keys[start:stop])


def page_bounds(number, size):
    """The slice of page `number` (as the request gave it: text, maybe not a number) of `size`."""
    try:
        first = (max(int(number), 1) - 1) * size
    except (TypeError, ValueError):
        first = 0
    return first, first + size
