"""Django's SQLite backend with the audit chain's pre-commit step (governance.db)."""

from django.db.backends.sqlite3 import base

from governance.db import AuditChainCommitMixin


class DatabaseWrapper(AuditChainCommitMixin, base.DatabaseWrapper):
    pass
