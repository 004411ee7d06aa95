"""A page of a list and the number of its matches, read in one query.

A list shows one page and how many records match. Counted apart, the database finds the matches
twice: once to count them, once to sort them and cut the page. So the page a request asks for is
read together with the number of all matches (a window count, `COUNT(*) OVER ()`, which the
database takes from the rows it has found and sorted anyway). Only a page beyond the last match
needs a count of its own.
"""

from django.db import connections
from django.db.models import Count, Window


class Keys:
    """The primary keys of a queryset, in its order, as a sequence Django's Paginator can page: a
    count() and slices. `start` and `stop` bound the slice the request will ask for; it is read
    with the count, any other slice is a query of its own."""

    def __init__(self, queryset, start, stop):
        # A window count over a DISTINCT query would count the rows before DISTINCT removes some.
        assert queryset is None or not queryset.query.distinct, "Keys: a DISTINCT queryset's count needs its own query"
        self.queryset = queryset
        self.start, self.stop = start, stop
        self._page = None
        self._count = None

    def rows(self, start, stop):
        """(key, number of all matches) for the keys from `start` to `stop`."""
        return list(self.queryset.annotate(matches=Window(Count("pk"))).values_list("pk", "matches")[start:stop])

    def count_all(self):
        return self.queryset.count()

    def _read_page(self):
        if self._page is None:
            rows = self.rows(self.start, self.stop)
            self._page = [key for key, _ in rows]
            if rows:
                self._count = rows[0][1]
            else:  # no match, or a page past the last one
                self._count = self.count_all() if self.start else 0
        return self._page

    def count(self):
        self._read_page()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1) or index.stop is None:
            raise TypeError("Keys: only bounded slices of consecutive keys")
        start, stop = index.start or 0, index.stop
        if self.start <= start and stop <= self.stop:
            return self._read_page()[start - self.start:stop - self.start]
        return [key for key, _ in self.rows(start, stop)]


class FoundKeys(Keys):
    """Keys for a compound query (a UNION or INTERSECT) whose rows carry their key and what they
    sort on: Django cannot annotate or order a compound query by an expression, so the page and
    the count are read by one query written around it. `found` is its (sql, params), or None when
    no row can match; `order` is the ORDER BY over its columns; it must be total (end with the key)."""

    def __init__(self, found, key, order, start, stop, using="default"):
        super().__init__(None, start, stop)
        self.found, self.params = (None, None) if found is None else (f"({found[0]}) found", found[1])
        self.connection = connections[using]
        self.key, self.order = key, order

    def _fetch(self, sql):
        if self.found is None:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            return cursor.fetchall()

    def rows(self, start, stop):
        return self._fetch(f"SELECT {self.key}, COUNT(*) OVER () FROM {self.found} ORDER BY {self.order} "
                           f"LIMIT {int(stop - start)} OFFSET {int(start)}")

    def count_all(self):
        return self._fetch(f"SELECT COUNT(*) FROM {self.found}")[0][0] if self.found else 0


def page_bounds(number, size):
    """The slice of page `number` (as the request gave it: text, maybe not a number) of `size`."""
    try:
        first = (max(int(number), 1) - 1) * size
    except (TypeError, ValueError):
        first = 0
    return first, first + size
