"""The portal's URLs plus ``/bench/bare/``: a bare Django view that renders nothing and reads
nothing, answered through the same middleware stack (benchmark only)."""

from django.http import HttpResponse
from django.urls import path

from canghzou_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from canghzou_portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *portal_urlpatterns]
