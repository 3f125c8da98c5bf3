"""URL patterns of the CMS; a notebook installs them with set_urls("cms", urlpatterns)."""

from django.urls import path

from helpers.apps.cms_django import views

urlpatterns = [path("cms/published/", views.published, name="cms-published")]
