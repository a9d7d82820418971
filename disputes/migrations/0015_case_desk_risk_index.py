# The mediation desk's index: disputes in mediation by (risk desc, deadline, id), with the grid for the
# scope filter; built after 0014 filled the column.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0014_backfill_case_desk_risk'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('kind', 'dispute'), ('status__in', ['reported', 'accepted', 'assigned'])), fields=['-desk_risk', 'deadline', 'id', 'grid'], name='case_desk_risk_deadline'),
        ),
    ]
