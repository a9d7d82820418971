# A copy of Dispute.risk_level on the case, the mediation desk's sort key (filled by 0014, indexed by 0015).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0012_overdue_stock_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='desk_risk',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True, verbose_name='风险等级（调解台排序）'),
        ),
    ]
