"""Production settings for the load benchmark's gunicorn: config.settings.prod unchanged, except
that collected static files go to a temporary directory (BENCH_STATIC_ROOT) instead of the
project's staticfiles/, and HTTPS redirects are off on loopback (SECURE_SSL_REDIRECT is read from
the environment by prod itself). Rate limits are the production ones."""

import os

from config.settings.prod import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

# collectstatic with prod's CompressedManifestStaticFilesStorage fails: the vendored
# bootstrap.bundle.min.js names a source map (bootstrap.bundle.min.js.map) that static/ does not
# hold (reported in bench/README.md). The benchmark serves the same files without hashed names.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}  # noqa: F405

# the baseline the public form is measured against (bench/baseline.py): same middleware, one more URL
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
