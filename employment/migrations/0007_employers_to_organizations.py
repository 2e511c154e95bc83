"""Employers become the employer role of a unit (services.Organization): step 2 of 3, the data.

One unit per credit code.

Every employer keeps its row, primary key and foreign keys (postings, applications, placements,
training, fairs); its identity (name, credit code, industry, county, address, contact) and the
unit-level flags (就业创业基地, 校企合一, 企训合一) move to an organization, found by credit code or
created with the employer's timestamps. An employer flagged 拥军优属联盟成员 becomes an approved
member unit of its county's association (created if missing) with a plaque number, its status
log saying it was migrated. The reverse copies everything back onto the employer (the flag from an
approved membership) and removes the migrated memberships.

The columns around it are changed so that both directions run on a table with rows: the old columns
are made nullable before the copy (0006) and dropped after it (0008); in reverse they come back
nullable, are filled here, and only then become NOT NULL again.
"""

from django.db import migrations
from django.utils import timezone

UNIT_FIELDS = (
    "name",
    "industry",
    "county_id",
    "address",
    "contact_name",
    "contact_phone",
    "is_employment_base",
    "is_school_enterprise",
    "is_enterprise_training",
)
INDUSTRY_WORDS = (
    ("catering", ("餐饮", "住宿", "酒店", "宾馆", "饭店")),
    ("retail", ("零售", "超市", "商超", "商贸", "百货")),
    ("finance", ("金融", "银行", "保险", "证券")),
    ("education", ("教育", "培训", "学校")),
    ("health", ("医疗", "健康", "医院", "药")),
    ("transport", ("交通", "运输", "物流", "出行", "汽车", "港口")),
    ("tourism", ("文化", "旅游", "景区")),
    ("life", ("生活", "家政", "保洁", "物业", "美容")),
)
MIGRATED_REASON = "原企业信息标注为拥军优属联盟成员，迁移为会员单位"


def _support_industry(text: str) -> str:
    for key, words in INDUSTRY_WORDS:
        if any(word in (text or "") for word in words):
            return key
    return "other"


def _membership_for(apps, employer, organization) -> None:
    Alliance = apps.get_model("services", "Alliance")
    Membership = apps.get_model("services", "AllianceMembership")
    Event = apps.get_model("services", "MembershipEvent")
    Station = apps.get_model("services", "Station")
    if Membership.objects.filter(organization=organization, status__in=["applied", "approved", "suspended"]).exists():
        return
    alliance = Alliance.objects.select_for_update().filter(station_id=organization.county_id).first()
    if alliance is None:
        station = Station.objects.get(pk=organization.county_id)
        alliance = Alliance.objects.create(station=station, name=f"{station.name}爱国拥军志愿者联合会")
    alliance.last_plaque_seq += 1
    alliance.save(update_fields=["last_plaque_seq"])
    joined = employer.created_at
    membership = Membership.objects.create(
        alliance=alliance,
        organization=organization,
        industry=_support_industry(organization.industry),
        status="approved",
        source="migrated",
        applied_at=joined,
        plaque_number=f"CZYJ-{alliance.station_id[:6]}-{alliance.last_plaque_seq:04d}",
        approved_on=timezone.localtime(joined).date(),
        decided_at=joined,
    )
    Event.objects.create(
        membership=membership, kind="migrate", status_after="approved", at=joined, reason=MIGRATED_REASON
    )


def to_organizations(apps, schema_editor):
    Employer = apps.get_model("employment", "Employer")
    Organization = apps.get_model("services", "Organization")
    for employer in Employer.objects.filter(organization__isnull=True).order_by("id").iterator(chunk_size=500):
        code = (employer.credit_code or "").strip().replace(" ", "").upper()
        organization = Organization.objects.filter(credit_code=code).first()
        if organization is None:
            organization = Organization.objects.create(
                credit_code=code, **{field: getattr(employer, field) for field in UNIT_FIELDS}
            )
            Organization.objects.filter(pk=organization.pk).update(
                created_at=employer.created_at, updated_at=employer.updated_at
            )
        Employer.objects.filter(pk=employer.pk).update(organization=organization)
        if employer.is_alliance_member:
            _membership_for(apps, employer, organization)


def to_employers(apps, schema_editor):
    Employer = apps.get_model("employment", "Employer")
    Membership = apps.get_model("services", "AllianceMembership")
    Event = apps.get_model("services", "MembershipEvent")
    members = set(Membership.objects.filter(status="approved").values_list("organization_id", flat=True))
    for employer in Employer.objects.select_related("organization").order_by("id").iterator(chunk_size=500):
        organization = employer.organization
        values = {field: getattr(organization, field) for field in UNIT_FIELDS}
        Employer.objects.filter(pk=employer.pk).update(
            credit_code=organization.credit_code,
            is_alliance_member=organization.pk in members,
            **values,
        )
    migrated = Membership.objects.filter(source="migrated")
    Event.objects.filter(membership__in=migrated).delete()
    migrated.delete()


class Migration(migrations.Migration):
    dependencies = [("employment", "0006_employer_organization_link")]

    operations = [migrations.RunPython(to_organizations, to_employers)]
