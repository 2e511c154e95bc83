from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_honor_types(sender=None, using="default", **kwargs) -> None:
    """Re-create the honor types after every migrate (and after the test runner's flush, which
    empties tables that a data migration filled). Idempotent; edits made in the admin stay."""
    import importlib

    from django.db import connections

    from .models import HonorType

    if HonorType._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated backwards past the table

    rows = importlib.import_module("honors.migrations.0002_honor_types").HONOR_TYPES
    existing = set(HonorType.objects.using(using).values_list("code", flat=True))
    HonorType.objects.using(using).bulk_create(
        [
            HonorType(code=code, name=name, subject_kind=kind, sort_order=order, criteria=criteria)
            for code, name, kind, order, criteria in rows
            if code not in existing
        ]
    )


class HonorsConfig(AppConfig):
    name = "honors"
    verbose_name = "褒扬荣誉"

    def ready(self):
        post_migrate.connect(ensure_honor_types, sender=self, dispatch_uid="honors.ensure_honor_types")
