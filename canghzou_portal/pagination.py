"""Paginators for large tables: no full-table COUNT on every page.

``CappedCountPaginator`` counts at most ``cap`` rows (``SELECT COUNT(*) FROM (… LIMIT cap)``),
so a page over 300,000 veterans costs an index-bounded count. Past the cap the total shows
as "cap+"; narrow the list with filters to reach later rows.
"""

from functools import cached_property

from django.core.paginator import Paginator


class CappedCountPaginator(Paginator):
    cap = 10_000

    @cached_property
    def count(self):
        qs = self.object_list
        if hasattr(qs, "order_by"):
            return qs.order_by()[: self.cap].count()
        return len(qs)

    @property
    def is_capped(self) -> bool:
        return self.count >= self.cap
