"""Small-cell suppression for donors, who see aggregates only.

The rule:
1. Primary: a row with any figure from 1 to 4 (households, direct or indirect) is suppressed
   whole: its figures become null and it is flagged `suppressed`. Zero is not a small cell.
2. Secondary: the totals stay published, so the suppressed rows must not be recoverable by
   subtracting the others from them. While only one row is suppressed, or the suppressed rows
   together hold from 1 to 4 of any figure, the smallest row still shown (fewest persons) is
   suppressed too. Two or more suppressed rows that together hold at least 5 of each figure
   leave many possible splits.
3. Totals with a figure from 1 to 4 are suppressed too (and then every row with anything in it).
"""

THRESHOLD = 5
FIGURES = ("households", "direct", "indirect")


def small(value):
    return value is not None and 0 < value < THRESHOLD


def _hide(row, figures):
    row.update({name: None for name in figures}, suppressed=True)


def suppress(result, figures=FIGURES, totals=True):
    """Suppress in place the small cells of a result: {households, direct, indirect, rows} for
    reach, {value, rows} for an indicator's breakdown (figures=("value",), totals=False: an
    indicator's total is the programme's output, published whatever its size)."""
    rows = result["rows"]
    for row in rows:
        row["suppressed"] = False
    hidden = [row for row in rows if any(small(row[name]) for name in figures)]
    shown = [row for row in rows if not row["suppressed"] and row not in hidden and any(row[n] for n in figures)]
    shown.sort(key=lambda row: sum(row[name] for name in figures))
    sums = {name: sum(row[name] for row in hidden) for name in figures}
    while shown and hidden and (len(hidden) == 1 or any(small(sums[name]) for name in figures)):
        row = shown.pop(0)
        for name in figures:
            sums[name] += row[name]
        hidden.append(row)
    for row in hidden:
        _hide(row, figures)
    result["suppressed"] = totals and any(small(result[name]) for name in figures)
    if result["suppressed"]:
        result.update({name: None for name in figures})
        for row in rows:
            if not row["suppressed"] and any(row[name] for name in figures):
                _hide(row, figures)
    return result
