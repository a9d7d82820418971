# The case list's slices (issue 17): a street's, a community's and a grid's cases newest first, one index
# each. The list reads every territory code of the user on its own (disputes.selectors.cases.visible_case_parts)
# and walks its slice's index in the list's order (created_at desc, id desc), stopping after a page; the
# one query with the OR of territory, object grants and dispatched cases kept PostgreSQL on the city's
# `created_at` index instead (a street officer's page dropped ~19,000 rows of other streets at 2 M cases)
# or a BitmapOr and a sort (a grid worker's two grids). A street and a community are `left(grid_id, n)`,
# an expression index: the list says them the same way. No index is dropped: the grid's plain index and
# its `varchar_pattern_ops` twin (the ForeignKey's) serve the prefix scope of every other list, and
# `case_grid_category_created` the reports.

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0017_dispatch_case_open'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(django.db.models.functions.text.Left('grid_id', 9), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='case_street_newest'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(django.db.models.functions.text.Left('grid_id', 12), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='case_community_newest'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['grid', '-created_at', '-id'], name='case_grid_newest'),
        ),
    ]
