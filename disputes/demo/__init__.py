"""The demo city's cases (`cases`: taxonomy, calendar, cases) and disputes (`mediation`)."""
