from django import template

from disputes.models import Notice

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    """Unread case notices of the signed-in user, for the nav badge (one COUNT query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()
