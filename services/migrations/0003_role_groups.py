"""Create the role groups. Their permissions are synced from services/roles.py after migrate."""

from django.db import migrations

ROLES = ["系统管理员", "市局工作人员", "审核员", "经办员", "统计查看员", "审计员", "企业用户"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
