from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.shortcuts import render

from identity.rules import is_allowed_domain


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Local accounts are made by accepting an invitation, never by signing up.
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Anyone the company's provider vouches for (and whose domain is allowed) gets an account on first sign-in.
        return True

    def pre_social_login(self, request, sociallogin) -> None:
        email = sociallogin.user.email or ""
        if not is_allowed_domain(email, settings.OIDC_ALLOWED_EMAIL_DOMAINS):
            raise ImmediateHttpResponse(render(request, "identity/domain_refused.html", {"email": email}, status=403))
