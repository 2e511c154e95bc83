# Keyword grams of job postings (employment/search.py) and, on PostgreSQL only, their GIN index.

from django.db import migrations, models

FORWARD = """
CREATE FUNCTION employment_posting_grams(grams text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000
    AS $$ BEGIN RETURN string_to_array(grams, ' '); END $$;
CREATE INDEX posting_search_grams ON employment_jobposting
    USING gin (employment_posting_grams(search_grams)) WHERE status = 'published';
CREATE STATISTICS posting_search_grams_stats ON (employment_posting_grams(search_grams)) FROM employment_jobposting;
"""
# A partial index has no statistics the planner uses: the extended statistics on the same
# expression tell it how common a gram is (index for rare ones, newest-first walk for common).
BACKWARD = """
DROP STATISTICS IF EXISTS posting_search_grams_stats;
DROP INDEX IF EXISTS posting_search_grams;
DROP FUNCTION IF EXISTS employment_posting_grams(text);
"""


def fill_grams(apps, schema_editor):
    from employment.search import text_grams

    JobPosting = apps.get_model("employment", "JobPosting")
    manager = JobPosting.objects.db_manager(schema_editor.connection.alias)
    rows = manager.select_related("employer").only("id", "title", "description", "employer__name")
    batch = []
    for posting in rows.iterator(chunk_size=2000):
        posting.search_grams = text_grams(posting.title, posting.employer.name, posting.description)
        batch.append(posting)
        if len(batch) == 2000:
            manager.bulk_update(batch, ["search_grams"])
            batch = []
    if batch:
        manager.bulk_update(batch, ["search_grams"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)
        schema_editor.execute("ANALYZE employment_jobposting")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('employment', '0004_board_recent_partial_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='jobposting',
            name='search_grams',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='检索字串'),
        ),
        migrations.RunPython(fill_grams, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
