"""Employers become the employer role of a unit (services.Organization): step 1 of 3, schema.

The link to the organization is added (nullable) and the columns that move to the organization are
made nullable, so that both directions of the data step (0007) run on a table with rows. Three
migrations, not one: PostgreSQL refuses to alter a table with pending trigger events (the foreign
keys written by the data step) in the same transaction.
"""

import django.db.models.deletion
from django.db import migrations, models

import employment.validators


class Migration(migrations.Migration):
    dependencies = [
        ("employment", "0005_posting_search_grams"),
        ("services", "0007_organizations_and_alliances"),
    ]

    operations = [
        migrations.AddField(
            model_name="employer",
            name="organization",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="employer",
                to="services.organization",
                verbose_name="单位",
            ),
        ),
        migrations.AlterField(
            model_name="employer",
            name="county",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="employers",
                to="services.station",
                verbose_name="所在县（市、区）",
            ),
        ),
        migrations.AlterField(
            model_name="employer",
            name="credit_code",
            field=models.CharField(
                max_length=18,
                null=True,
                unique=True,
                validators=[employment.validators.validate_credit_code],
                verbose_name="统一社会信用代码",
            ),
        ),
        migrations.AlterField(
            model_name="employer",
            name="name",
            field=models.CharField(db_index=True, max_length=100, null=True, verbose_name="企业名称"),
        ),
    ]
