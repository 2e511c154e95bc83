"""Reads of the registry, always through the jurisdiction mechanism."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import QuerySet

from canghzou_portal import codes
from canghzou_portal.crypto import mask_id_number, mask_name, mask_phone
from canghzou_portal.scoping import covers_whole_city, get_scoped_object_or_404, scope_queryset, user_can_reach_station
from services.models import Station

from .choices import CardKind, CardStatus
from .models import PreferentialCard, Veteran, VeteranTransfer
from .validators import MOBILE_RE, is_valid_card_number, normalize_card_number, normalize_id_number, normalize_mobile

ID_SEARCH_RE = re.compile(r"^\d{17}[\dX]$")
INITIALS_RE = re.compile(r"^[A-Za-z]{1,20}$")


def veteran_list(
    *,
    user,
    q: str = "",
    station: Station | None = None,
    status: str = "",
    employment_status: str = "",
    category: str = "",
) -> QuerySet[Veteran]:
    """The veterans the user may see, filtered, newest first.

    ``q`` is a full ID number (blind index), a mobile number (blind index), pinyin initials
    (``zsf`` finds 张三丰) or part of a name. ``station`` must already be checked to lie in the
    user's subtree (the filter form does it); it narrows to that station's subtree.
    """
    qs = scope_queryset(Veteran.objects.select_related("station"), user)
    q = (q or "").strip()
    if q:
        as_id = normalize_id_number(q)
        as_phone = normalize_mobile(q)
        if ID_SEARCH_RE.match(as_id):
            qs = qs.by_id_number(as_id)
        elif MOBILE_RE.match(as_phone):
            qs = qs.by_phone(as_phone)
        elif INITIALS_RE.match(q):
            qs = qs.filter(name_initials__startswith=q.lower())
        else:
            qs = qs.filter(name__contains=q)
    if station is not None:
        qs = qs.in_subtree(station.code)
    if status:
        qs = qs.filter(status=status)
    if employment_status:
        qs = qs.filter(employment_status=employment_status)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-registered_on", "-id")


def filter_station_choices(user) -> QuerySet[Station]:
    """Stations offered in the list's station filter: the user's subtree.

    For a user whose subtree is the whole city the (thousands of) villages are left out of the
    drop-down; a village code in the URL is still accepted.
    """
    qs = scope_queryset(Station.objects.all(), user).order_by("code")
    if covers_whole_city(user):
        qs = qs.exclude(level=codes.VILLAGE)
    return qs


def user_can_see(user, veteran: Veteran) -> bool:
    return user_can_reach_station(user, veteran.station_id)


def veteran_get(*, user, pk) -> Veteran:
    """One veteran in the user's subtree, or 404."""
    qs = Veteran.objects.select_related("station", "household", "created_by")
    return get_scoped_object_or_404(qs, user, pk=pk)


def station_chain(station: Station) -> list[Station]:
    from services.selectors import station_chain as chain

    return chain(station)


def veteran_transfers(veteran: Veteran) -> list[VeteranTransfer]:
    return list(veteran.transfers.select_related("from_station", "to_station", "created_by").order_by("-date", "-id"))


def household_members(veteran: Veteran) -> list:
    if veteran.household_id is None:
        return []
    return list(veteran.household.members.order_by("id"))


def transfer_target_suggestions(veteran: Veteran) -> QuerySet[Station]:
    """Active township and village stations of the veteran's county (for the transfer form's list)."""
    county = codes.county_code(veteran.station_id) or veteran.station_id
    return (
        Station.objects.active()
        .in_subtree(county)
        .filter(level__in=(codes.TOWNSHIP, codes.VILLAGE))
        .exclude(code=veteran.station_id)
        .order_by("code")
    )


# --- history -------------------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    user: str
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


HISTORY_KIND = {"+": "新建", "~": "修改", "-": "删除"}


def veteran_history(veteran: Veteran, *, user, limit: int | None = 20, offset: int = 0) -> list[HistoryEntry]:
    """Who changed what and when, newest first (two queries: the records and the stations named).

    ``user`` is the reader (kept for per-reader rules); ID and phone values are always masked.
    """
    records_qs = veteran.history.select_related("history_user").order_by("-history_date", "-history_id")
    end = None if limit is None else offset + limit + 1  # one more to diff the oldest shown
    records = list(records_qs[offset:end])
    shown = records if limit is None else records[:limit]
    raw: list[tuple[object, list]] = []
    station_codes: set[str] = set()
    for index, record in enumerate(shown):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            changes = record.diff_against(previous).changes
            for change in changes:
                if change.field == "station":
                    station_codes.update(c for c in (change.old, change.new) if c)
        raw.append((record, changes))
    names = dict(Station.objects.filter(code__in=station_codes).values_list("code", "name")) if station_codes else {}
    entries = []
    for record, changes in raw:
        entry = HistoryEntry(
            when=record.history_date,
            user=_user_label(record.history_user),
            kind=HISTORY_KIND.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
        )
        for change in changes:
            model_field = Veteran._meta.get_field(change.field)
            entry.changes.append(
                FieldChange(
                    field=change.field,
                    label=str(model_field.verbose_name),
                    old=_display(model_field, change.old, names),
                    new=_display(model_field, change.new, names),
                )
            )
        entries.append(entry)
    return entries


def _user_label(user) -> str:
    if user is None:
        return "系统"
    full_name = getattr(user, "full_name", "")
    return f"{full_name}（{user.username}）" if full_name else user.username


def _display(model_field, value, station_names: dict) -> str:
    # ID and phone numbers stay masked here whatever the user's rights: the audited reveal is the
    # only place that shows them in full.
    if value is None or value == "":
        return "（空）"
    name = model_field.name
    if name == "id_number":
        return mask_id_number(value)
    if name == "phone":
        return mask_phone(value)
    if name == "station":
        return station_names.get(value, str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


# --- 优待证 ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CardCheck:
    """What a member unit's counter may learn about a card: the verdict, the holder's masked
    name and the card's kind — nothing more (no ID number, station, dates or holder id)."""

    result: str  # "valid" | "invalid" | "lost" | "revoked"
    label: str  # 有效 / 无效 / 已挂失 / 已注销
    holder_name: str = ""  # masked, e.g. 张*明
    kind: str = ""  # e.g. 退役军人优待证


CARD_CHECK_LABELS = {"valid": "有效", "invalid": "无效", "lost": "已挂失", "revoked": "已注销"}
_CARD_RESULT = {
    CardStatus.ISSUED: "valid",
    CardStatus.LOST: "lost",
    CardStatus.REISSUED: "lost",  # the number of a card replaced after loss stays reported lost
    CardStatus.REVOKED: "revoked",
}


def card_check(number: str) -> CardCheck:
    """The counter check (社会化拥军 member units, ``/support/verify/``): one indexed query at most.

    A malformed number or a wrong check character answers 无效 without a lookup. A card that was
    never handed out (applied, approved, made, rejected) answers 无效 too, and says nothing about
    its holder. Not scoped on purpose: member units check cards from the whole city.
    """
    normalized = normalize_card_number(number)
    if not is_valid_card_number(normalized):
        return CardCheck("invalid", CARD_CHECK_LABELS["invalid"])
    row = (
        PreferentialCard.objects.filter(number=normalized)
        .values("status", "kind", "issued_on", "veteran__name", "member__name")
        .first()
    )
    if row is None or row["issued_on"] is None or row["status"] not in _CARD_RESULT:
        return CardCheck("invalid", CARD_CHECK_LABELS["invalid"])
    result = _CARD_RESULT[row["status"]]
    return CardCheck(
        result=result,
        label=CARD_CHECK_LABELS[result],
        holder_name=mask_name(row["veteran__name"] or row["member__name"] or ""),
        kind=str(CardKind(row["kind"]).label),
    )
