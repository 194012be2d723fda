"""The WSGI application: Django, behind the page cache's fast path for anonymous readers (core/pagecache.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kure.settings")
django_application = get_wsgi_application()

from kure.core.pagecache import PageCacheApp  # noqa: E402  (needs the settings configured above)

application = PageCacheApp(django_application)
