"""Places on the map: great-circle distance, an indexed search box, walking time, the city's bounds.

One datum for every coordinate the portal stores: **WGS-84** (degrees, latitude first). China's
official maps (天地图) use CGCS2000, which agrees with WGS-84 to a few centimetres — far below the
precision of a shop's address — so the two are treated as one; browsers' geolocation and GPS give
WGS-84 directly. Coordinates read off 高德/腾讯/百度 maps are GCJ-02/BD-09 (shifted by several hundred
metres) and must be converted before they are entered or imported.

Reused by every list of places (拥军服务点, memorials, service stations)::

    from canghzou_portal import geo

    lat, lng = geo.parse_point(request.GET.get("lat"), request.GET.get("lng"))   # GeoError: Chinese message
    minutes = geo.parse_minutes(request.GET.get("minutes"))                      # 1..60, default 10
    box = geo.bounding_box(lat, lng, geo.walking_radius_m(minutes))
    rows = Model.objects.filter(**box.filter_kwargs())       # indexed pre-filter (latitude, longitude)
    places = geo.within(rows, lat, lng, geo.walking_radius_m(minutes))  # [(row, metres)], nearest first

The template side is ``{% load places %}{% place_list places %}`` (``canghzou_portal/templatetags/places.py``,
``templates/partials/places.html``, ``static/js/places.js``): a list with distance and walking
minutes, and a Leaflet map when ``MAP_TILE_URL`` is set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

DATUM = "WGS-84"  # CGCS2000 (天地图) is treated as the same; GCJ-02 (高德/腾讯) is not
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG); the spherical model errs < 0.5 % at these distances
WALKING_M_PER_MIN = 80
DEFAULT_WALKING_MINUTES = 10
MAX_WALKING_MINUTES = 60
COORDINATE_PLACES = 6  # stored with 6 decimals: about 0.1 m


@dataclass(frozen=True)
class Bounds:
    """A latitude/longitude rectangle (degrees, WGS-84), edges included."""

    south: float
    north: float
    west: float
    east: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lng <= self.east

    def filter_kwargs(self, lat_field: str = "latitude", lng_field: str = "longitude") -> dict[str, float]:
        """ORM filter for the rows inside the box (a range on an index over ``(lat, lng)``)."""
        return {
            f"{lat_field}__gte": self.south,
            f"{lat_field}__lte": self.north,
            f"{lng_field}__gte": self.west,
            f"{lng_field}__lte": self.east,
        }


# 沧州市: 北纬37°29′–38°57′，东经115°42′–117°50′ (the city government's published extent of its
# territory, 沧州市人民政府 "沧州概况"). A coordinate outside this box is not in the city.
CITY_BOUNDS = Bounds(south=37 + 29 / 60, north=38 + 57 / 60, west=115 + 42 / 60, east=117 + 50 / 60)
CITY_CENTRE = (38.3037, 116.8388)  # 沧州市区 (运河区/新华区), for a map without a chosen origin


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine on the mean-radius sphere)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_m: float) -> Bounds:
    """The smallest latitude/longitude box holding every point within ``radius_m`` of the centre.

    A degree of latitude is ~111 km everywhere; a degree of longitude shrinks with the cosine of
    the latitude (~88 km at Cangzhou's 38°N). The longitude half-width is the exact spherical one,
    ``asin(sin(d) / cos(lat))`` (d = the radius as an angle), slightly wider than ``d / cos(lat)``.
    """
    if radius_m < 0:
        raise ValueError("radius_m must not be negative")
    angular = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(angular)
    phi = math.radians(lat)
    ratio = math.sin(angular) / math.cos(phi) if math.cos(phi) > 1e-12 else 2.0
    dlng = 180.0 if ratio >= 1 else math.degrees(math.asin(ratio))
    return Bounds(south=lat - dlat, north=lat + dlat, west=lng - dlng, east=lng + dlng)


def walking_radius_m(minutes: float) -> float:
    return minutes * WALKING_M_PER_MIN


def walking_minutes(metres: float) -> int:
    """Whole minutes on foot at 80 m a minute, rounded up (at least 1)."""
    return max(1, math.ceil(metres / WALKING_M_PER_MIN - 1e-9))


def distance_label(metres: float) -> str:
    """``"650 米"`` below a kilometre, ``"1.2 公里"`` above."""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} 米" if metres >= 100 else f"{max(1, round(metres)):.0f} 米"
    return f"{metres / 1000:.1f} 公里"


T = TypeVar("T")


def within(
    rows: Iterable[T],
    lat: float,
    lng: float,
    radius_m: float,
    *,
    position: Callable[[T], tuple[Any, Any]] = lambda row: (row.latitude, row.longitude),
    limit: int | None = None,
) -> list[tuple[T, float]]:
    """``(row, metres)`` for the rows within ``radius_m`` of the centre, nearest first (ties by
    input order). Run it on the rows of a :func:`bounding_box` pre-filter; ``position`` reads a
    row's coordinates (attributes ``latitude``/``longitude`` by default)."""
    found = []
    for index, row in enumerate(rows):
        row_lat, row_lng = position(row)
        metres = distance_m(lat, lng, float(row_lat), float(row_lng))
        if metres <= radius_m:
            found.append((metres, index, row))
    found.sort(key=lambda item: (item[0], item[1]))
    if limit is not None:
        found = found[:limit]
    return [(row, metres) for metres, _index, row in found]


# --- input ------------------------------------------------------------------------------------
class GeoError(ValueError):
    """Bad coordinates or radius; ``message`` is Chinese, ``field`` names the parameter."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _number(value, field: str, label: str) -> float:
    text = "" if value is None else str(value).strip()
    if not text:
        raise GeoError(field, f"请提供{label}")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise GeoError(field, f"{label}“{text[:20]}”不是数字") from None
    if not number.is_finite():
        raise GeoError(field, f"{label}“{text[:20]}”不是有效的数字")
    return float(number)


def parse_point(lat, lng, *, bounds: Bounds = CITY_BOUNDS, where: str = "沧州市") -> tuple[float, float]:
    """Latitude and longitude (strings or numbers, WGS-84 degrees) checked to lie in ``bounds``.

    Raises :class:`GeoError` for a missing or non-numeric value, a pair given the wrong way round
    (the longitude in ``lat``), an impossible coordinate, and a point outside the city.
    """
    lat_value = _number(lat, "lat", "纬度")
    lng_value = _number(lng, "lng", "经度")
    if bounds.contains(lng_value, lat_value) and not bounds.contains(lat_value, lng_value):
        raise GeoError(
            "lat",
            f"纬度和经度填反了：纬度（lat）应在{bounds.south:.2f}～{bounds.north:.2f}之间，"
            f"经度（lng）应在{bounds.west:.2f}～{bounds.east:.2f}之间",
        )
    if not -90 <= lat_value <= 90:
        raise GeoError("lat", f"纬度{lat_value:g}超出范围（-90～90）")
    if not -180 <= lng_value <= 180:
        raise GeoError("lng", f"经度{lng_value:g}超出范围（-180～180）")
    if not bounds.contains(lat_value, lng_value):
        raise GeoError(
            "lat" if not bounds.south <= lat_value <= bounds.north else "lng",
            f"位置（北纬{lat_value:g}，东经{lng_value:g}）不在{where}范围内"
            f"（北纬{bounds.south:.2f}～{bounds.north:.2f}，东经{bounds.west:.2f}～{bounds.east:.2f}）",
        )
    return lat_value, lng_value


def parse_minutes(value, *, default: int = DEFAULT_WALKING_MINUTES, maximum: int = MAX_WALKING_MINUTES) -> int:
    """Walking minutes: whole minutes from 1 to ``maximum``; empty means ``default``."""
    text = "" if value is None else str(value).strip()
    if not text:
        return default
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise GeoError("minutes", f"步行时间“{text[:20]}”不是数字") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise GeoError("minutes", "步行时间须为整数分钟")
    if number < 1:
        raise GeoError("minutes", "步行时间至少为1分钟")
    if number > maximum:
        raise GeoError("minutes", f"步行时间最多{maximum}分钟（约{maximum * WALKING_M_PER_MIN / 1000:g}公里）")
    return int(number)


def clean_coordinate(value) -> Decimal:
    """A stored coordinate: a Decimal with 6 places (about 0.1 m)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-COORDINATE_PLACES))


def tile_source(url_template: str) -> str | None:
    """The CSP source the map's tile images come from (``https://*.tianditu.gov.cn`` for
    ``https://t{s}.tianditu.gov.cn/…``); None for tiles served by the portal itself."""
    from urllib.parse import urlsplit

    if not url_template.startswith(("https://", "http://")):
        return None
    parts = urlsplit(url_template.replace("{s}", "a"))
    host = parts.netloc
    if "{s}" in url_template.split("/")[2]:
        host = "*." + host.split(".", 1)[-1]
    return f"{parts.scheme}://{host}"


# --- what the list and the map show --------------------------------------------------------------
@dataclass
class Place:
    """One entry of a place list (``{% place_list %}``): everything but ``name``/``lat``/``lng`` optional."""

    name: str
    lat: float
    lng: float
    distance_m: float | None = None
    url: str = ""
    subtitle: str = ""
    lines: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    phone: str = ""

    @property
    def minutes(self) -> int | None:
        return None if self.distance_m is None else walking_minutes(self.distance_m)

    @property
    def distance_text(self) -> str:
        return "" if self.distance_m is None else distance_label(self.distance_m)

    def as_map_marker(self) -> dict:
        """What the map needs (no personal data): name, position, link, distance text."""
        return {
            "name": self.name,
            "lat": round(float(self.lat), COORDINATE_PLACES),
            "lng": round(float(self.lng), COORDINATE_PLACES),
            "url": self.url,
            "subtitle": self.subtitle,
            "distance": self.distance_text,
            "minutes": self.minutes,
        }
