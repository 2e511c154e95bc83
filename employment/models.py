"""Employment: partner employers, postings, applications, placements, training, fairs, ventures."""

from __future__ import annotations

from django.db import models

from canghzou_portal.models import TimeStampedModel
from canghzou_portal.scoping import ScopedQuerySet

from .validators import validate_credit_code


class Employer(TimeStampedModel):
    name = models.CharField("企业名称", max_length=100, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    industry = models.CharField("所属行业", max_length=50, blank=True)
    county = models.ForeignKey(
        "services.Station", verbose_name="所在县（市、区）", on_delete=models.PROTECT, related_name="employers"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    is_partner = models.BooleanField("拥军企业", default=False, db_index=True)
    is_alliance_member = models.BooleanField("拥军优属联盟成员", default=False)
    is_employment_base = models.BooleanField("就业创业基地", default=False)
    is_school_enterprise = models.BooleanField("校企合一", default=False)
    is_enterprise_training = models.BooleanField("企训合一", default=False)
    preferential_offers = models.TextField("优待措施", blank=True)

    jurisdiction_path = "county"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
