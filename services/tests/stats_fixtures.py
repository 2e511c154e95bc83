"""A small known world for the monthly statistics tests (month 2026-10).

Hand-computed figures are in ``EXPECTED``; see the comments next to each veteran and record.
Working age at 2026-10-31: born after 1966-10-31 and on/before 2010-10-31.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from services.models import METRIC_KEYS, ServiceRecord, Station
from veterans import choices
from veterans.tests.factories import VeteranFactory, make_id_number

MONTH = datetime.date(2026, 10, 1)
D = datetime.date
S = choices.EmploymentStatus
R = choices.RegistryStatus


def _vet(world, key, seq, birth, registered, employment, status=R.ACTIVE, status_date=None):
    return VeteranFactory(
        station=world[key],
        id_number=make_id_number("130902", birth, seq),
        registered_on=registered,
        employment_status=employment,
        status=status,
        status_date=status_date,
    )


def build_stats_world(world) -> dict:
    v = {}
    # villageA1a: total 4, new 1, employable 3, employed 2
    v[1] = _vet(world, "villageA1a", 101, D(1980, 1, 1), D(2020, 1, 1), S.EMPLOYED)
    v[2] = _vet(world, "villageA1a", 102, D(1990, 5, 5), D(2026, 10, 15), S.UNEMPLOYED)  # new
    v[3] = _vet(world, "villageA1a", 103, D(1960, 1, 1), D(2019, 3, 1), S.EMPLOYED)  # 66: not working age
    v[4] = _vet(  # moved out after the month's end: still 在册 at 2026-10-31
        world, "villageA1a", 104, D(1985, 2, 2), D(2018, 1, 1), S.FLEXIBLE, R.MOVED_OUT, D(2026, 11, 10)
    )
    # villageA1b: total 1, new 1 (studying: not employable)
    v[5] = _vet(world, "villageA1b", 105, D(1988, 3, 3), D(2021, 1, 1), S.EMPLOYED, R.DECEASED, D(2026, 10, 20))
    v[6] = _vet(world, "villageA1b", 106, D(1995, 4, 4), D(2026, 10, 31), S.STUDYING)  # new on the last day
    v[7] = _vet(world, "villageA1b", 107, D(1982, 6, 6), D(2026, 11, 2), S.EMPLOYED)  # registered after
    # townshipA1 itself: total 1, employable 1, employed 1
    v[8] = _vet(world, "townshipA1", 108, D(1975, 7, 7), D(2015, 1, 1), S.SELF_EMPLOYED)
    # villageA2a: the age-60 boundary: total 2, employable 1, employed 0
    v[9] = _vet(world, "villageA2a", 109, D(1966, 10, 31), D(2010, 1, 1), S.EMPLOYED)  # exactly 60: out
    v[10] = _vet(world, "villageA2a", 110, D(1966, 11, 1), D(2010, 1, 1), S.UNEMPLOYED)  # 59: in
    # villageB1a: total 2, new 1, employable 1, employed 1
    v[11] = _vet(world, "villageB1a", 111, D(1983, 8, 8), D(2022, 1, 1), S.RETIRED)
    v[12] = _vet(world, "villageB1a", 112, D(1979, 9, 9), D(2026, 10, 10), S.EMPLOYED)
    # villageB1b: moved out inside the month: nothing
    v[14] = _vet(world, "villageB1b", 114, D(1980, 1, 2), D(2016, 1, 1), S.EMPLOYED, R.MOVED_OUT, D(2026, 10, 5))
    # the city station itself: total 1, employable 1, employed 1
    v[13] = _vet(world, "city", 113, D(1970, 1, 1), D(2016, 1, 1), S.EMPLOYED)

    def rec(key, kind, day, amount=None):
        return ServiceRecord.objects.create(
            veteran=v[1], station=world[key], kind=kind, date=day, summary="测试", aid_amount=amount
        )

    K = ServiceRecord.Kind
    rec("villageA1a", K.VISIT, D(2026, 10, 1))
    rec("villageA1a", K.VISIT, D(2026, 10, 31))
    rec("villageA1a", K.CONSULTATION, D(2026, 10, 8))
    rec("villageA1a", K.AID, D(2026, 10, 15), Decimal("500.00"))
    rec("villageA1a", K.VISIT, D(2026, 9, 30))  # outside the month
    rec("villageA1a", K.AID, D(2026, 11, 1), Decimal("200.00"))  # outside the month
    rec("townshipA1", K.AID, D(2026, 10, 20), Decimal("1200.50"))
    rec("townshipA1", K.CARE_VISIT, D(2026, 10, 21))  # not one of the four service metrics
    rec("villageB1a", K.CONSULTATION, D(2026, 10, 2))
    rec("villageB1a", K.CONSULTATION, D(2026, 10, 3))
    rec("villageB1a", K.AID, D(2026, 10, 4), Decimal("99.99"))
    rec("city", K.VISIT, D(2026, 10, 5))
    # an inactive village: no row of its own, but its figures reach its ancestors
    rec("villageB2b", K.VISIT, D(2026, 10, 6))
    Station.objects.filter(code=world["villageB2b"].code).update(is_active=False)
    return v


def _fig(total=0, new=0, employable=0, employed=0, rate="0.0", visits=0, cons=0, aid=0, amount="0"):
    row = dict.fromkeys(METRIC_KEYS, 0)
    row.update(
        veterans_total=total,
        veterans_new=new,
        veterans_employable=employable,
        veterans_employed=employed,
        employment_rate=Decimal(rate),
        service_visits=visits,
        service_consultations=cons,
        service_aid_count=aid,
        service_aid_amount=Decimal(amount),
    )
    return row


EXPECTED = {
    "city": _fig(11, 3, 7, 5, "71.4", visits=4, cons=3, aid=3, amount="1800.49"),
    "countyA": _fig(8, 2, 5, 3, "60.0", visits=2, cons=1, aid=2, amount="1700.50"),
    "townshipA1": _fig(6, 2, 4, 3, "75.0", visits=2, cons=1, aid=2, amount="1700.50"),
    "villageA1a": _fig(4, 1, 3, 2, "66.7", visits=2, cons=1, aid=1, amount="500.00"),
    "villageA1b": _fig(1, 1, 0, 0, "0.0"),
    "townshipA2": _fig(2, 0, 1, 0, "0.0"),
    "villageA2a": _fig(2, 0, 1, 0, "0.0"),
    "villageA2b": _fig(),
    "countyB": _fig(2, 1, 1, 1, "100.0", visits=1, cons=2, aid=1, amount="99.99"),
    "townshipB1": _fig(2, 1, 1, 1, "100.0", cons=2, aid=1, amount="99.99"),
    "villageB1a": _fig(2, 1, 1, 1, "100.0", cons=2, aid=1, amount="99.99"),
    "villageB1b": _fig(),
    "townshipB2": _fig(visits=1),
    "villageB2a": _fig(),
}


@pytest.fixture
def stats_world(world):
    build_stats_world(world)
    return world


def row_values(stat) -> dict:
    return {key: getattr(stat, key) for key in METRIC_KEYS}
