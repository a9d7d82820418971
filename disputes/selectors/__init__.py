"""The disputes app's reads: `cases` (the loop's lists, queues and what a user may do on a case) and
`mediation` (disputes on top of it). Everything starts from governance.scope.scoped()."""
