from identity import services


def apply_rules_on_company_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    """allauth's hook after a sign-in: someone who came through the company's provider gets the teams its
    sign-in rules grant (the claims are the checked ID token's, with the provider's user information)."""
    if sociallogin is None:
        return
    data = sociallogin.account.extra_data or {}
    services.apply_sign_in_rules(user=user, claims={**data.get("id_token", {}), **data.get("userinfo", {})})
