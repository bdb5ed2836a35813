"""Root URLconf. Each app owns its routes in ``apps/<app>/urls.py``."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from apps.core import views as core_views

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", core_views.health, name="health"),
    path("", include("apps.site.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.site.catalog_urls")),  # namespace "catalog"
    path("", include("apps.site.bookings_urls")),  # namespace "bookings"
    path("", include("apps.catalog.urls")),  # namespace "follows"
    path("", include("apps.payments.urls")),
    path("", include("apps.requests.urls")),
    path("", include("apps.rooms.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.progress.urls")),
    path("", include("apps.dashboards.urls")),
    path("", include("apps.accounts.auth_urls")),  # allauth pages at /login/, /logout/, … (accounts)
]

if settings.PAYMENTS_SANDBOX:  # the emulated gateway; never routed when real Razorpay keys are set
    urlpatterns += [path("", include("apps.payments_sandbox.urls"))]

if settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

if settings.BENCH_ENDPOINTS:  # bench/http.py's baseline; never routed unless PEERLEARN_BENCH=true
    from apps.core.bench import bare

    urlpatterns += [path("bench/bare/", bare, name="bench-bare")]
