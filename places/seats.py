"""Where each municipality's seat town lies, for maps: code → (latitude, longitude).

Read from places/data/seats.csv, the file the reference-data migration also loads into
Municipality.latitude/longitude, so each coordinate is written once. The values are the seat
towns' well-known positions to four decimals (a map of Kosovo needs two).
"""

from places.loading import rows

SEATS = {r["code"]: (float(r["latitude"]), float(r["longitude"])) for r in rows("seats.csv")}

# The box a map of Kosovo shows: south, north, west, east (degrees).
KOSOVO = (41.85, 43.27, 20.01, 21.80)


def inside(latitude, longitude, box=KOSOVO):
    south, north, west, east = box
    return south <= latitude <= north and west <= longitude <= east


def project(latitude, longitude, width, height, box=KOSOVO):
    """(x, y) in an SVG box of `width` × `height` showing `box`: linear in longitude and latitude,
    which over a country this small differs from a real map projection by less than a bubble."""
    south, north, west, east = box
    return (round((longitude - west) / (east - west) * width, 1),
            round((north - latitude) / (north - south) * height, 1))
