"""The disputes app's pages: `cases` (the loop), `mediation` (disputes, risk register),
`configuration` (taxonomy, time limits, calendar). One view per action and URL."""
