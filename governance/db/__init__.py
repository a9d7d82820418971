"""Database backends: Django's PostgreSQL and SQLite backends with one pre-commit step, the audit
chain's (governance.audit.chain.flush): the transaction's buffered audit rows are linked and written
right before COMMIT, so the chain's lock is the last lock every transaction takes.
governance.settings sets ENGINE to governance.db.postgresql / governance.db.sqlite3."""

from __future__ import annotations


def in_transaction(conn) -> bool:
    """Whether code runs inside an atomic block of the application (those of django.test.TestCase
    around a test do not count: they never commit)."""
    return conn.in_atomic_block and not all(b._from_testcase for b in conn.atomic_blocks)


class AuditChainCommitMixin:
    def commit(self):
        if self.run_on_commit:
            from governance.audit import chain

            chain.flush(self)
        super().commit()

    def savepoint_commit(self, sid):
        # Under django.test.TestCase the application's outermost atomic block is a savepoint inside the
        # test's own blocks, which never commit: its release stands for the COMMIT (as Django's durable
        # blocks do). In production atomic_blocks holds no test block, and only commit() flushes.
        if self.run_on_commit and self.atomic_blocks and not in_transaction(self):
            from governance.audit import chain

            chain.flush(self)
        super().savepoint_commit(sid)
