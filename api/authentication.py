from django.utils import timezone
from rest_framework import authentication, exceptions

from api.models import ApiToken, hash_token


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <raw>`` checked against the stored hash."""

    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token
