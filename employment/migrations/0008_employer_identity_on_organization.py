"""Employers become the employer role of a unit (services.Organization): step 3 of 3, schema.

Every employer now has its organization: the link becomes required and the columns that moved
to the organization are dropped (in reverse they come back nullable and 0007 fills them).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("employment", "0007_employers_to_organizations")]

    operations = [
        migrations.AlterField(
            model_name="employer",
            name="organization",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="employer",
                to="services.organization",
                verbose_name="单位",
            ),
        ),
        migrations.RemoveField(model_name="employer", name="address"),
        migrations.RemoveField(model_name="employer", name="contact_name"),
        migrations.RemoveField(model_name="employer", name="contact_phone"),
        migrations.RemoveField(model_name="employer", name="county"),
        migrations.RemoveField(model_name="employer", name="credit_code"),
        migrations.RemoveField(model_name="employer", name="industry"),
        migrations.RemoveField(model_name="employer", name="is_alliance_member"),
        migrations.RemoveField(model_name="employer", name="is_employment_base"),
        migrations.RemoveField(model_name="employer", name="is_enterprise_training"),
        migrations.RemoveField(model_name="employer", name="is_school_enterprise"),
        migrations.RemoveField(model_name="employer", name="name"),
        migrations.AlterModelOptions(
            name="employer",
            options={"ordering": ["organization__name", "id"], "verbose_name": "企业", "verbose_name_plural": "企业"},
        ),
        ]
