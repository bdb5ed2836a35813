# Domain and Topic moved here from the catalogue. Their tables already exist (created by
# catalog.0001 as catalog_domain / catalog_topic), so this only records them in the new app's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("catalog", "0002_session_no_overlap_pg")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Domain",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=80, unique=True)),
                        ("slug", models.SlugField(max_length=80, unique=True)),
                        ("description", models.TextField(blank=True)),
                        ("icon", models.CharField(blank=True, help_text="Heroicon name", max_length=40)),
                    ],
                    options={"ordering": ("name",), "db_table": "catalog_domain"},
                ),
                migrations.CreateModel(
                    name="Topic",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=80)),
                        ("slug", models.SlugField(max_length=80)),
                        (
                            "domain",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="topics", to="taxonomy.domain"
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("name",),
                        "db_table": "catalog_topic",
                        "constraints": [
                            models.UniqueConstraint(fields=("domain", "slug"), name="topic_unique_per_domain")
                        ],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
