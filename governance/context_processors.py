from django.http import HttpRequest

from governance.jobs import background_stopped
from governance.navigation import nav_links
from governance.scope import role_assignments, runs_the_system


def roles(request: HttpRequest) -> dict:
    """The signed-in user's roles, for the page header (loaded once per request by the scope cache)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": [], "nav_links": [], "background_stopped": False}
    return {
        "my_roles": role_assignments(user),
        "nav_links": nav_links(user, request.path),
        # Every page tells those who run the system (city admins) that background work has stopped.
        "background_stopped": runs_the_system(user) and background_stopped(),
    }

