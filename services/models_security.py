"""Security bookkeeping models (issue 15), kept apart from the business models of services/models.py
(which imports them at its end so Django registers them in the services app)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LookupMiss(models.Model):
    """One failed public lookup, written by ``canghzou_portal.lookup_limit`` only when Redis is not
    available (not configured, or down). ``digest`` is a keyed hash: no application number, ID
    number or address is stored."""

    name = models.CharField("查询", max_length=40)
    kind = models.CharField("计数维度", max_length=10)  # "key" or "address"
    digest = models.CharField("摘要", max_length=64)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "查询失败记录"
        verbose_name_plural = "查询失败记录"
        indexes = [
            models.Index(fields=["name", "kind", "digest", "at"], name="lookupmiss_count"),
            models.Index(fields=["at"], name="lookupmiss_at"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.kind} {self.at:%Y-%m-%d %H:%M}"
