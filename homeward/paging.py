"""A page of a search and the number of its matches, read together where the matches are few.

A list shows one page and how many records match. Counted apart, the database finds the matches
twice: once to count them, once to sort them and cut the page. A name search typically matches a
few dozen households, so up to AT_ONCE matches the keys of all of them are read in one query: their
number is the count and the page is a slice of them. Beyond that (a common family name, a list with
no search) the count is a query of its own, as before.
"""

AT_ONCE = 500


class Keys:
    """The primary keys of a queryset, in its order, as a sequence Django's Paginator can page: a
    count() and slices."""

    def __init__(self, queryset, at_once=None):
        self.keys = queryset.values_list("pk", flat=True)
        self.at_once = at_once or AT_ONCE
        self._first = None
        self._count = None

    def _read_first(self):
        if self._first is None:
            self._first = list(self.keys[: self.at_once])
        return self._first

    def count(self):
        if self._count is None:
            first = self._read_first()
            self._count = len(first) if len(first) < self.at_once else self.keys.count()
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
