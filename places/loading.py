"""Loads the reference CSVs in places/data/ (copied from the shared reference) into the database.
Used by the data migration; safe to run again (rows are keyed on code)."""

import csv
from pathlib import Path

DATA = Path(__file__).parent / "data"


def rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def load(Country, District, Municipality, Community):
    for r in rows("countries.csv"):
        Country.objects.update_or_create(code=r["code"], defaults={"name_en": r["name_en"]})
    for r in rows("districts.csv"):
        District.objects.update_or_create(
            code=r["code"],
            defaults={k: r[k] for k in ("name_sq", "name_sr_latn", "name_sr_cyrl")},
        )
    seats = {r["code"]: r for r in rows("seats.csv")}
    for r in rows("municipalities.csv"):
        seat = seats.get(r["code"], {})
        Municipality.objects.update_or_create(
            code=r["code"],
            defaults={
                "district": District.objects.get(code=r["district"]),
                "name_sq": r["name_sq"],
                "name_sq_definite": r["name_sq_definite"],
                "name_sr_latn": r["name_sr_latn"],
                "name_sr_cyrl": r["name_sr_cyrl"],
                "other_names": r["other_names"],
                "latitude": seat.get("latitude") or None,
                "longitude": seat.get("longitude") or None,
            },
        )
    for r in rows("communities.csv"):
        Community.objects.update_or_create(
            code=r["code"], defaults={k: r[k] for k in ("name_en", "name_sq", "name_sr_latn")}
        )
