from django.http import HttpRequest

from governance.jobs import background_stopped
from governance.navigation import navigation
from governance.scope import role_assignments, runs_the_system


def roles(request: HttpRequest) -> dict:
    """The signed-in user's roles, for the page header (loaded once per request by the scope cache)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": [], "nav": None, "nav_links": [], "background_stopped": False}
    nav = navigation(user, request.path)
    return {
        "my_roles": role_assignments(user),
        "nav": nav,  # templates/base.html: the desktop bar and the phone's tab bar
        "nav_links": [tuple(item) for item in nav.items],
        # Every page tells those who run the system (city admins) that background work has stopped.
        "background_stopped": runs_the_system(user) and background_stopped(),
    }

