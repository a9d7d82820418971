"""The audit trail (GB/T 22239-2019 8.1.4.3): request context, the hash chain, retention, and the
audit administrator's pages. Rows are written by governance.actions.record_audit only."""
