# Data migration: every dispute's case gets its risk level in desk_risk (one UPDATE with a correlated
# subquery: 200,000 disputes at 2 M cases take seconds). Backwards it does nothing: 0013's column goes
# with its own reversal.

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_risk_levels(apps, schema_editor):
    Case = apps.get_model("disputes", "Case")
    Dispute = apps.get_model("disputes", "Dispute")
    level = Dispute.objects.filter(pk=OuterRef("pk")).values("risk_level")[:1]
    Case.objects.using(schema_editor.connection.alias).filter(kind="dispute").update(desk_risk=Subquery(level))


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0013_case_desk_risk'),
    ]

    operations = [
        migrations.RunPython(copy_risk_levels, migrations.RunPython.noop, elidable=False),
    ]
