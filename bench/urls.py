"""The product's URLs and the benchmark's baseline form (bench/settings_gunicorn.py only)."""

from django.urls import path

from bench.baseline import baseline_form
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as product_urls

urlpatterns = [path("bench/baseline/", baseline_form, name="bench-baseline"), *product_urls]
