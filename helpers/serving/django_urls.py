"""Root URLconf of the in-kernel Django site: the admin plus groups that notebooks set."""

from django.contrib import admin
from django.urls import path

# Rebuilt by helpers.serving.django_kernel.set_urls(); Django reads it after clear_url_caches().
urlpatterns = [path("admin/", admin.site.urls)]
