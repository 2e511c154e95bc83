"""The shared list of places (with distance and walking minutes) and its optional Leaflet map.

Registered as the template library ``places`` (settings TEMPLATES ``libraries``)::

    {% load places %}
    {% place_list places dom_id="support-places" origin=origin radius_m=800 empty="附近暂无拥军服务点" %}

``places`` is a list of :class:`canghzou_portal.geo.Place` (nearest first when a distance is
known). ``origin`` (optional) is ``{"name": …, "lat": …, "lng": …}``, drawn on the map with the
radius circle. The map appears only when ``settings.MAP_TILE_URL`` is set (a tile server the
bureau runs or licenses, e.g. 天地图); otherwise the list alone — nothing leaves the portal.
``static/js/places.js`` draws the map and runs any ``<form data-locate>`` "use my location" button.
"""

from __future__ import annotations

from django import template
from django.conf import settings

from canghzou_portal import geo

register = template.Library()


def map_options() -> dict | None:
    url = getattr(settings, "MAP_TILE_URL", "")
    if not url:
        return None
    return {
        "tile_url": url,
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        "max_zoom": getattr(settings, "MAP_MAX_ZOOM", 18),
        "subdomains": getattr(settings, "MAP_TILE_SUBDOMAINS", "abc"),
    }


@register.inclusion_tag("partials/places.html")
def place_list(
    places,
    dom_id: str = "places",
    origin: dict | None = None,
    radius_m: float | None = None,
    empty: str = "暂无可显示的地点",
    label: str = "地点列表",
):
    places = list(places or ())
    map_config = map_options()
    data = None
    if map_config:
        data = {
            "places": [place.as_map_marker() for place in places],
            "origin": (
                {"name": origin.get("name", ""), "lat": float(origin["lat"]), "lng": float(origin["lng"])}
                if origin
                else None
            ),
            "radius_m": radius_m,
            "centre": list(geo.CITY_CENTRE),
        }
    return {
        "places": places,
        "dom_id": dom_id,
        "data_id": f"{dom_id}-data",
        "map": map_config,
        "map_data": data,
        "empty": empty,
        "label": label,
    }
