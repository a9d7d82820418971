from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api import authentication  # noqa: F401  (registers the token scheme with drf-spectacular)
