"""Every path under `/e/<name>/` of an engine that does not exist: a 404, after sign-in
like any page (an anonymous visitor cannot tell an engine's name from a wrong one).
The site's own routes follow, for the links the 404 page makes."""

from django.urls import re_path

from dashboard.urls import handler400, handler403, handler404, handler500
from dashboard.urls import urlpatterns as site

from .views import no_such_engine

urlpatterns = [re_path(r"^e/", no_such_engine), *site]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
