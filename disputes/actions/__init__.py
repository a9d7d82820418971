"""The disputes app's writes, one do_* function each: `cases` (the loop), `mediation` (disputes on
top of it), `configuration` (taxonomy, time limits, calendar). The mechanics they share are
`disputes.kernel`."""
