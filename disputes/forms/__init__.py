"""The disputes app's forms: `cases` (filing a case) and `mediation` (filing a dispute)."""
