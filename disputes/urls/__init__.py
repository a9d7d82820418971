"""The disputes app's URLs: `cases` at /cases/ and `mediation` at /disputes/ (one view per action)."""
