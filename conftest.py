"""Shared fixtures: a small station world and users per role and tier.

The world (codes are real-shaped, names invented) — two counties × two townships × two villages:

    130900000000 city
      130902000000 county A           130903000000 county B
        130902001000 township A1        130903001000 township B1
          130902001001 village A1a        ...
          130902001002 village A1b
        130902002000 township A2
          ...
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group

from services import roles
from services.models import Station

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Test@pass2026"


def _make_world() -> dict[str, Station]:
    world: dict[str, Station] = {}
    city = Station.objects.create(code="130900000000", name="沧州市", level="city")
    world["city"] = city
    for ck, ccode, cname in (("A", "130902", "新华区"), ("B", "130903", "运河区")):
        county = Station.objects.create(code=f"{ccode}000000", name=cname, level="county", parent=city)
        world[f"county{ck}"] = county
        for t in (1, 2):
            tcode = f"{ccode}{t:03d}000"
            township = Station.objects.create(code=tcode, name=f"{cname}第{t}街道", level="township", parent=county)
            world[f"township{ck}{t}"] = township
            for v, vk in ((1, "a"), (2, "b")):
                vcode = f"{ccode}{t:03d}{v:03d}"
                world[f"village{ck}{t}{vk}"] = Station.objects.create(
                    code=vcode, name=f"{cname}{t}街道{v}社区", level="village", parent=township
                )
    return world


@pytest.fixture
def world(db) -> dict[str, Station]:
    return _make_world()


@pytest.fixture
def make_user(db, django_user_model):
    counter = {"n": 0}

    def make(role: str | None, station: Station | None, **extra):
        counter["n"] += 1
        user = django_user_model.objects.create_user(
            username=extra.pop("username", f"user{counter['n']}"),
            password=PASSWORD,
            station=station,
            full_name=extra.pop("full_name", f"测试用户{counter['n']}"),
            **extra,
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def city_bureau(world, make_user):
    return make_user(roles.ROLE_BUREAU, world["city"], username="bureau", is_staff=True)


@pytest.fixture
def county_clerk(world, make_user):
    return make_user(roles.ROLE_CLERK, world["countyA"], username="county_clerk", is_staff=True)


@pytest.fixture
def township_clerk(world, make_user):
    return make_user(roles.ROLE_CLERK, world["townshipA1"], username="township_clerk", is_staff=True)


@pytest.fixture
def village_clerk(world, make_user):
    return make_user(roles.ROLE_CLERK, world["villageA1a"], username="village_clerk", is_staff=True)


@pytest.fixture
def other_village_clerk(world, make_user):
    return make_user(roles.ROLE_CLERK, world["villageB1a"], username="other_village_clerk", is_staff=True)


@pytest.fixture
def county_reviewer(world, make_user):
    return make_user(roles.ROLE_REVIEWER, world["countyA"], username="county_reviewer", is_staff=True)


@pytest.fixture
def city_reviewer(world, make_user):
    return make_user(roles.ROLE_REVIEWER, world["city"], username="city_reviewer", is_staff=True)


@pytest.fixture
def county_stats_viewer(world, make_user):
    return make_user(roles.ROLE_STATS, world["countyA"], username="county_stats")


@pytest.fixture
def auditor(world, make_user):
    return make_user(roles.ROLE_AUDITOR, world["city"], username="auditor", is_staff=True)


@pytest.fixture
def sysadmin(world, make_user):
    return make_user(roles.ROLE_SYSADMIN, world["city"], username="sysadmin", is_staff=True)


@pytest.fixture
def superuser(world, django_user_model):
    return django_user_model.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as ``user``."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def real_celery():
    """The project's Celery app pointed at the local Redis (broker and results), for tests that
    start a real worker with ``celery.contrib.testing.worker.start_worker``.

    Celery derives broker read/write URLs and caches the result backend and the broker pool when
    its configuration is first loaded, so those are reset here and restored afterwards.
    """
    import redis
    from django.conf import settings

    from canghzou_portal.celery import app

    url = settings.TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REDIS_URL"):
            raise
        pytest.skip("本机 Redis 不可用（未设置 REDIS_URL）")
    keys = ("broker_url", "broker_read_url", "broker_write_url", "result_backend", "task_always_eager")
    old = {k: app.conf.get(k) for k in keys}

    def forget_connections():
        app._backend_cache = None
        app._local.backend = None
        app._after_fork()

    app.conf.update(
        broker_url=url, broker_read_url=url, broker_write_url=url, result_backend=url, task_always_eager=False
    )
    forget_connections()
    try:
        yield app
    finally:
        app.conf.update(old)
        forget_connections()
