from rest_framework import permissions

from api.models import ApiToken


class TokenScopeAllows(permissions.BasePermission):
    """A read-only token reads; only a read-write token (or the app's own signed-in session) changes anything.

    What the user may do in a team is still decided by access.py, so a token never exceeds its owner's roles."""

    message = "This token is read-only: make a read-and-write token to change anything."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if request.method in permissions.SAFE_METHODS or not isinstance(token, ApiToken):
            return True
        return token.can_write
