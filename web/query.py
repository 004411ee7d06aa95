"""Reading the report pages' query strings: one date reader, so every page takes and refuses the
same dates."""

import datetime


class BadDate(ValueError):
    """The parameter holds text that is not a YYYY-MM-DD date; `text` is what was given."""

    def __init__(self, name, text):
        super().__init__(name, text)
        self.name, self.text = name, text


def query_date(params, name):
    """The date in parameter `name` (YYYY-MM-DD), None when absent or blank; BadDate otherwise."""
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise BadDate(name, text) from None
