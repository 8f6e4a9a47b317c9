from rest_framework import authentication, exceptions

from api.services import token_for


class PersonalTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer mma_…`: a personal access token made on the account page."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(f"{self.keyword} "):
            return None
        token = token_for(header.removeprefix(f"{self.keyword} ").strip())
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid: it may have expired or been revoked.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
