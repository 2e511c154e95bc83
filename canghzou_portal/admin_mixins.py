"""Shared admin helpers."""

from .pagination import CappedCountPaginator


class LargeTableAdminMixin:
    """Change lists over large tables: capped count, no second full count."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
