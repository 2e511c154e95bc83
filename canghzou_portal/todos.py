"""To-dos for the dashboards: each app may provide ``<app>/todos.py`` with
``todos(user) -> list[Todo]`` — its waiting work (reviews, approvals, overdue items), counted in
the user's subtree and role in at most two queries, zero counts left out. Approval queues count
``canghzou_portal.approval.awaiting(workflow, queryset, user)``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str
