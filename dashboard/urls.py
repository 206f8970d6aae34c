from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic.base import RedirectView

from containers_app.urls import containers_urls, images_urls, networks_urls, volumes_urls
from containers_app.views import accounts, live, logs, setup, system

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="containers:list"), name="home"),
    path("containers/", include(containers_urls)),
    path("images/", include(images_urls)),
    path("volumes/", include(volumes_urls)),
    path("networks/", include(networks_urls)),
    path("registries/", include("registries.urls")),
    path("engines/", include("engines.urls")),
    path("stacks/", include("stacks.urls")),
    path("audit/", include("audit.urls")),
    path("access/", include("access.urls")),
    path("logs/", logs.merged_logs, name="logs"),
    path("stats/", live.stats_page, name="stats"),
    path("events/", live.events_page, name="events"),
    path("system/", system.system_page, name="system"),
    path("healthz", system.healthz, name="healthz"),
    path("readyz", system.readyz, name="readyz"),
    path("metrics", system.metrics_page, name="metrics"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("setup/", setup.first_admin, name="setup"),
    path("admin/", admin.site.urls),
]

handler400 = "containers_app.views.errors.bad_request"
handler403 = "containers_app.views.errors.forbidden"
handler404 = "containers_app.views.errors.not_found"
handler500 = "containers_app.views.errors.server_error"
