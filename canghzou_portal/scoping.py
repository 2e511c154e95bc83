"""The one jurisdiction mechanism (辖区范围).

A user sees and changes only objects whose station lies in the subtree of their own station.
Every model that belongs to a station declares ``jurisdiction_path`` — the ORM path from the
model to the station's code (``"code"`` for Station itself, ``"station"`` for a veteran,
``"veteran__station"`` for something reached through a veteran). Everything else here derives
from that one attribute:

* ``scope_queryset(qs, user)`` / ``ScopedQuerySet.for_user(user)``: the filter, deny by default;
* ``ScopedFormMixin``: foreign-key choices limited the same way;
* ``check_object_in_scope``: writes;
* in ``scoping_mixins`` (kept apart because models import this module before auth is ready):
  ``JurisdictionMixin`` for class-based views (out-of-scope objects are 404) and
  ``ScopedModelAdmin`` for the admin (querysets, FK choices, object pages, saves).

Superusers and users at the city station see everything (the city's subtree is everything).
A user without a station sees nothing.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404

from . import codes
from .codes import subtree_bounds

ALL = "all"


def station_model():
    """The station model, ``settings.PORTAL_STATION_MODEL`` (the core names no app; the user
    model's ``station`` foreign key points to it)."""
    return apps.get_model(settings.PORTAL_STATION_MODEL)


def user_scope(user) -> str | tuple[str, str] | None:
    """``ALL``, the inclusive code bounds of the user's subtree, or None (nothing)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ALL
    station_id = getattr(user, "station_id", None)
    if not station_id:
        return None
    return subtree_bounds(station_id)


def jurisdiction_path(model) -> str | None:
    return getattr(model, "jurisdiction_path", None)


def is_scoped_model(model) -> bool:
    return jurisdiction_path(model) is not None


def scope_queryset(qs: models.QuerySet, user) -> models.QuerySet:
    """Limit ``qs`` to the user's subtree. Models without ``jurisdiction_path`` are refused."""
    path = jurisdiction_path(qs.model)
    if path is None:
        raise TypeError(f"{qs.model.__name__} declares no jurisdiction_path")
    scope = user_scope(user)
    if scope == ALL:
        return qs
    if scope is None:
        return qs.none()
    low, high = scope
    field = path if path == "code" else f"{path}__code"
    return qs.filter(**{f"{field}__gte": low, f"{field}__lte": high})


def scope_to_code(qs: models.QuerySet, code: str) -> models.QuerySet:
    """Limit ``qs`` to the subtree of station ``code`` (for drill-down and filters)."""
    path = jurisdiction_path(qs.model)
    low, high = subtree_bounds(code)
    field = path if path == "code" else f"{path}__code"
    return qs.filter(**{f"{field}__gte": low, f"{field}__lte": high})


def user_can_reach_code(user, code: str | None) -> bool:
    scope = user_scope(user)
    if scope == ALL:
        return True
    if scope is None or not code:
        return False
    return scope[0] <= code <= scope[1]


def user_can_reach_station(user, station) -> bool:
    return user_can_reach_code(user, getattr(station, "pk", station))


def assert_station_in_scope(user, station) -> None:
    """For writes: refuse a station outside the user's subtree."""
    if not user_can_reach_station(user, station):
        raise PermissionDenied("该服务站不在您的辖区范围内")


def get_scoped_object_or_404(qs_or_model, user, **lookup):
    qs = qs_or_model._default_manager.all() if isinstance(qs_or_model, type) else qs_or_model
    try:
        return scope_queryset(qs, user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        report_out_of_scope(qs, user, lookup)
        raise Http404("未找到该记录，或不在您的辖区范围内") from exc


def report_out_of_scope(qs: models.QuerySet, user, lookup: dict) -> None:
    """Hook for every out-of-scope 404 (issue 15): ``qs`` is the queryset before the jurisdiction
    filter. A miss whose object exists there is audited (canghzou_portal/probes.py: what is
    written, and how flooding is avoided)."""
    import logging

    from .probes import record_probe

    try:
        record_probe(qs, user, lookup)
    except Exception:  # noqa: BLE001 - the 404 must be answered even if the audit write fails
        logging.getLogger("portal.security").exception("out-of-scope audit failed")


def covers_whole_city(user) -> bool:
    """Whether the user's subtree is the whole city (superusers, and staff of the city station)."""
    scope = user_scope(user)
    return scope == ALL or (scope is not None and codes.level_of(user.station_id) == codes.CITY)


class ScopedQuerySet(models.QuerySet):
    """Chainable jurisdiction filters; models use ``ScopedQuerySet.as_manager()``."""

    def for_user(self, user):
        return scope_queryset(self, user)

    def in_subtree(self, code: str):
        return scope_to_code(self, code)


# --- forms ---------------------------------------------------------------------------


def limit_form_choices(form, user) -> None:
    """Scope every model-choice field whose model belongs to a station."""
    for field in form.fields.values():
        if isinstance(field, ModelChoiceField | ModelMultipleChoiceField):
            qs = field.queryset
            if qs is not None and is_scoped_model(qs.model):
                field.queryset = scope_queryset(qs, user)


class ScopedFormMixin:
    """Form mixin: pass ``user=``; station-bound choices are limited to the user's subtree."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        limit_form_choices(self, user)


def object_station_code(obj) -> str | None:
    """The code of the station ``obj`` belongs to, following its model's ``jurisdiction_path``."""
    path = jurisdiction_path(type(obj))
    if path is None:
        return None
    value = obj
    for part in ("code" if path == "code" else f"{path}__code").split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def check_object_in_scope(user, obj) -> None:
    """Refuse to save ``obj`` if its station (by jurisdiction_path) lies outside the subtree."""
    if jurisdiction_path(type(obj)) is None:
        return
    code = object_station_code(obj)
    if code is None:
        return
    if not user_can_reach_code(user, code):
        raise PermissionDenied("该记录的服务站不在您的辖区范围内")
