# SessionRequest.domain now points at taxonomy.Domain (same table, catalog_domain); state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("requests", "0001_initial"), ("taxonomy", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="sessionrequest",
                    name="domain",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="requests", to="taxonomy.domain"
                    ),
                )
            ],
            database_operations=[],
        )
    ]
