# MentorProfile.domains now points at taxonomy.Domain: the same table (catalog_domain), so the
# many-to-many table and its columns are unchanged; state only.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("taxonomy", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="mentorprofile",
                    name="domains",
                    field=models.ManyToManyField(blank=True, related_name="mentors", to="taxonomy.domain"),
                )
            ],
            database_operations=[],
        )
    ]
