"""To-dos for the dashboards (the shared contract): each app may provide ``<app>/todos.py`` with
``todos(user) -> list[Todo]`` — the user's waiting work, counted in their subtree and role in at
most two queries per app, items with a zero count left out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str
