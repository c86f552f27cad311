"""ASGI entry point: refuses to serve with a public SECRET_KEY unless DEBUG is on."""

import os

from django.core.asgi import get_asgi_application

from carbonledger.lib.secret_key import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbonledger.settings")

require_secret_key()
application = get_asgi_application()
