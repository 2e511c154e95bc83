"""Distances, search boxes and walking times at Cangzhou's latitude; bad coordinates and radii."""

import json
import math

import pytest
from django.template import Context, Template
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from canghzou_portal import geo

CANGZHOU = (38.3037, 116.8388)


def _east(lat, lng, metres):
    """The point ``metres`` due east along the parallel (small distances: a straight line)."""
    return lat, lng + math.degrees(metres / (geo.EARTH_RADIUS_M * math.cos(math.radians(lat))))


def _north(lat, lng, metres):
    return lat + math.degrees(metres / geo.EARTH_RADIUS_M), lng


def test_a_degree_of_longitude_is_about_88_km_at_38_degrees_north():
    assert geo.distance_m(38, 116, 38, 117) == pytest.approx(87_620, rel=0.001)
    assert geo.distance_m(38, 116, 39, 116) == pytest.approx(111_195, rel=0.001)


def test_known_distance_between_two_county_seats():
    # 沧州市区 → 泊头市区: about 34 km (as the crow flies)
    assert geo.distance_m(*CANGZHOU, 38.0838, 116.5784) == pytest.approx(33_300, rel=0.02)


def test_box_of_a_ten_minute_walk_is_wider_in_longitude_than_in_latitude():
    box = geo.bounding_box(*CANGZHOU, 800)
    half_lat = (box.north - box.south) / 2
    half_lng = (box.east - box.west) / 2
    assert half_lat == pytest.approx(800 / 111_195, rel=0.001)
    assert half_lng == pytest.approx(800 / 87_270, rel=0.005)  # 1° of longitude ≈ 87.3 km at 38.3°N
    # a point 790 m due east is inside; with 111 km to the degree it would have been cut off
    lat, lng = _east(*CANGZHOU, 790)
    assert box.contains(lat, lng)
    assert lng - CANGZHOU[1] > 800 / 111_195


@given(
    bearing=st.floats(0, 2 * math.pi),
    fraction=st.floats(0, 0.999),
    radius=st.floats(1, 5000),
    lat=st.floats(37.5, 38.9),
)
def test_every_point_within_the_radius_is_in_the_box(bearing, fraction, radius, lat):
    centre = (lat, 116.8)
    d = radius * fraction / geo.EARTH_RADIUS_M
    phi1, lmb1 = math.radians(centre[0]), math.radians(centre[1])
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(bearing))
    lmb2 = lmb1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(phi1), math.cos(d) - math.sin(phi1) * math.sin(phi2)
    )
    point = (math.degrees(phi2), math.degrees(lmb2))
    assert geo.distance_m(*centre, *point) <= radius * 1.000001
    assert geo.bounding_box(*centre, radius).contains(*point)


def test_walking_minutes_at_80_metres_a_minute():
    assert geo.walking_radius_m(10) == 800
    assert geo.walking_minutes(800) == 10
    assert geo.walking_minutes(801) == 11
    assert geo.walking_minutes(0) == 1
    assert geo.distance_label(649.6) == "650 米"
    assert geo.distance_label(1234) == "1.2 公里"


def test_within_keeps_the_radius_and_orders_nearest_first():
    class P:
        def __init__(self, name, point):
            self.name, (self.latitude, self.longitude) = name, point

    rows = [
        P("far", _east(*CANGZHOU, 900)),
        P("near", _north(*CANGZHOU, 100)),
        P("mid", _east(*CANGZHOU, 500)),
        P("edge", _north(*CANGZHOU, 799)),
    ]
    found = geo.within(rows, *CANGZHOU, 800)
    assert [(p.name, round(m)) for p, m in found] == [("near", 100), ("mid", 500), ("edge", 799)]
    assert [p.name for p, _m in geo.within(rows, *CANGZHOU, 800, limit=2)] == ["near", "mid"]


def test_city_bounds_are_the_published_extent():
    assert geo.CITY_BOUNDS.contains(*CANGZHOU)
    assert geo.CITY_BOUNDS.contains(38.711, 116.100)  # 任丘
    assert geo.CITY_BOUNDS.contains(37.628, 116.391)  # 吴桥
    assert not geo.CITY_BOUNDS.contains(39.084, 117.201)  # 天津
    assert not geo.CITY_BOUNDS.contains(38.042, 114.515)  # 石家庄


@pytest.mark.parametrize(
    ("lat", "lng", "field", "message"),
    [
        ("", "116.8", "lat", "请提供纬度"),
        ("abc", "116.8", "lat", "纬度“abc”不是数字"),
        ("38.3", "东经", "lng", "经度“东经”不是数字"),
        ("NaN", "116.8", "lat", "纬度“NaN”不是有效的数字"),
        ("38.3", "inf", "lng", "经度“inf”不是有效的数字"),
        ("116.84", "38.30", "lat", "纬度和经度填反了"),
        ("95", "116.8", "lat", "纬度95超出范围"),
        ("38.3", "190", "lng", "经度190超出范围"),
        ("39.08", "117.20", "lat", "不在沧州市范围内"),
        ("38.04", "114.51", "lng", "不在沧州市范围内"),
    ],
)
def test_bad_coordinates_have_chinese_messages(lat, lng, field, message):
    with pytest.raises(geo.GeoError) as exc:
        geo.parse_point(lat, lng)
    assert exc.value.field == field
    assert message in exc.value.message


def test_good_coordinates_parse():
    assert geo.parse_point(" 38.3037 ", 116.8388) == CANGZHOU


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "至少为1分钟"),
        ("-5", "至少为1分钟"),
        ("10000", "最多60分钟"),
        ("61", "最多60分钟"),
        ("十", "不是数字"),
        ("1.5", "须为整数分钟"),
        ("NaN", "须为整数分钟"),
    ],
)
def test_bad_walking_minutes(value, message):
    with pytest.raises(geo.GeoError) as exc:
        geo.parse_minutes(value)
    assert exc.value.field == "minutes" and message in exc.value.message


def test_walking_minutes_default_and_limits():
    assert geo.parse_minutes(None) == geo.parse_minutes("") == 10
    assert geo.parse_minutes("1") == 1 and geo.parse_minutes("60") == 60 and geo.parse_minutes("15.0") == 15


PLACES = Template("{% load places %}{% place_list places dom_id='t' origin=origin radius_m=800 empty='暂无' %}")


def _render(places, origin=None):
    return PLACES.render(Context({"places": places, "origin": origin}))


def test_place_list_without_a_tile_server_is_the_list_alone():
    html = _render([geo.Place(name="老兵饭店", lat=38.3, lng=116.84, distance_m=420, subtitle="餐饮住宿")])
    assert "老兵饭店" in html and "420 米" in html and "步行约6分钟" in html
    assert "leaflet" not in html and "t-data" not in html
    assert "js/places.js" in html  # the "use my location" button works without a map
    assert "暂无" in _render([])


@override_settings(MAP_TILE_URL="/tiles/{z}/{x}/{y}.png", MAP_TILE_ATTRIBUTION="测试底图")
def test_place_list_with_a_tile_server_adds_the_map_and_its_data_safely():
    html = _render(
        [geo.Place(name="</script><b>店", lat=38.3, lng=116.84, distance_m=42)],
        origin={"name": "建设北街街道", "lat": 38.31, "lng": 116.86},
    )
    assert "vendor/leaflet/leaflet.js" in html and 'data-tile-url="/tiles/{z}/{x}/{y}.png"' in html
    assert "</script><b>" not in html
    start = html.index('id="t-data"')
    payload = html[html.index(">", start) + 1 : html.index("</script>", start)]
    data = json.loads(payload)
    assert data["places"][0] == {
        "name": "</script><b>店",
        "lat": 38.3,
        "lng": 116.84,
        "url": "",
        "subtitle": "",
        "distance": "42 米",
        "minutes": 1,
    }
    assert data["origin"] == {"name": "建设北街街道", "lat": 38.31, "lng": 116.86} and data["radius_m"] == 800


def test_tile_source_for_the_content_security_policy():
    assert geo.tile_source("https://t{s}.tianditu.gov.cn/DataServer?x={x}&y={y}&l={z}") == "https://*.tianditu.gov.cn"
    assert geo.tile_source("https://tiles.example.cn/{z}/{x}/{y}.png") == "https://tiles.example.cn"
    assert geo.tile_source("/static/tiles/{z}/{x}/{y}.png") is None
