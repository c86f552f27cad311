"""Refuse a secret key that anyone can read: the development default or the
placeholder of `.env.example`."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY = "django-insecure-development-only-key-change-me"
# What `.env.example` once shipped; a copied example must never reach production.
PLACEHOLDER_KEYS = frozenset(
    {
        DEVELOPMENT_KEY,
        "change-me-to-a-long-random-string-of-at-least-fifty-characters",
    }
)
WEAK_KEY = (
    "SECRET_KEY is the development default or a published placeholder. Set "
    "SECRET_KEY to a long random value (python -c 'import secrets; "
    "print(secrets.token_urlsafe(50))') or run with DEBUG=on for development."
)


def is_public_key(key: str) -> bool:
    """Return whether the key is one anybody can read in the source."""
    return key in PLACEHOLDER_KEYS or "change-me" in key.lower()


def require_secret_key() -> None:
    """Refuse to serve with a public key unless DEBUG is on."""
    if not settings.DEBUG and is_public_key(settings.SECRET_KEY):
        raise ImproperlyConfigured(WEAK_KEY)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy` fails on a public key."""
    if is_public_key(settings.SECRET_KEY):
        return [checks.Error(WEAK_KEY, id="carbonledger.E001")]
    return []
