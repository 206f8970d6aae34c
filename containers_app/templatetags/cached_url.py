"""`{% url %}` as Django's, with its answers kept: `reverse()` walks the URL patterns on
every call, and pages reverse the same dozen names on every request (the header's
engine counts alone four). An answer depends only on the view name, the arguments, the
current app, the script prefix (an engine's `/e/NAME/`) and the urlconf: those key the
cache. Arguments other than strings and integers (a model instance's `str()` may change
while it still compares equal) are reversed each time, as Django does.

Installed as a builtin (settings.TEMPLATES), so it stands in for Django's tag in every
template. Measured in README's Load section.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.defaulttags import URLNode, url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

KEPT = 4096  # answers: the header's links, and each object's links while it is shown


@lru_cache(maxsize=KEPT)
def _reverse(view_name, args, kwargs, current_app, prefix, urlconf) -> str:
    """(`reverse()` reads the prefix and urlconf from the thread: they key the cache.)"""
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def _keepable(value) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


class CachedURLNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((key, value.resolve(context)) for key, value in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            if (
                _keepable(view_name)
                and all(map(_keepable, args))
                and all(_keepable(value) for _, value in kwargs)
                and (current_app is None or _keepable(current_app))
            ):
                url = _reverse(
                    view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf()
                )
            else:
                url = reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag(name="url")
def cached_url(parser, token) -> CachedURLNode:
    """Django's `{% url %}` (same syntax, same answers), kept."""
    node = url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
