"""`{% render_panel panel %}`: one section an upper app added to a register page (parties.panels),
rendered with the page's context plus the panel's own, as `{% include %}` would."""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from parties.panels import Panel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: Context, panel: Panel) -> SafeString:
    template_name, values = panel
    panel_template = context.template.engine.get_template(template_name)
    with context.push(values):
        return panel_template.render(context)
