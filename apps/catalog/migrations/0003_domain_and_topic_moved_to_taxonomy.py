# Domain and Topic now live in apps.taxonomy (tables unchanged); the catalogue forgets them.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_session_no_overlap_pg"),
        ("taxonomy", "0001_initial"),
        ("accounts", "0003_domains_from_taxonomy"),
        ("requests", "0002_domain_from_taxonomy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="session",
                    name="domain",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="sessions", to="taxonomy.domain"
                    ),
                ),
                migrations.DeleteModel(name="Topic"),
                migrations.DeleteModel(name="Domain"),
            ],
            database_operations=[],
        )
    ]
