"""Django's PostgreSQL backend with the audit chain's pre-commit step (governance.db)."""

from django.db.backends.postgresql import base

from governance.db import AuditChainCommitMixin


class DatabaseWrapper(AuditChainCommitMixin, base.DatabaseWrapper):
    pass
