"""The Django admin (superusers only) for the disputes app. Django's autodiscovery imports
`disputes.admin`; each topic registers its models in its own module, named here."""

from disputes.admin import cases, mediation

__all__ = ["cases", "mediation"]
