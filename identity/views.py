from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404, HttpRequest, HttpResponse

from identity.provider import CompanyOAuth2Adapter


def company_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2LoginView.adapter_view(CompanyOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("Company sign-in is not configured") from None


def company_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2CallbackView.adapter_view(CompanyOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("Company sign-in is not configured") from None
