import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext

from ..core import throttle
from ..core.errors import RateLimited


class SignupForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Real name (first name and surname)"))
    username = forms.CharField(label=_("Username"), max_length=40)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Real name"))
    affiliation = forms.CharField(label=_("Affiliation"), max_length=200, required=False)
    bio = forms.CharField(label=_("Short biography"), max_length=2000, required=False,
                          widget=forms.Textarea(attrs={"rows": 5}))
    avatar = forms.FileField(label=_("Avatar"), required=False)


class ThrottledSignIn:
    """Refuses sign-ins once too many have failed for the account name or from the address (settings
    ``KURE_RATE_LIMITS["login_account"]`` and ``["login"]``). Only failures are counted, and once a limit is
    used up every attempt is refused without looking at the password, the right one included: otherwise guessing
    could go on and simply be told when it hit. Mixed into the site's and the admin's sign-in forms."""

    throttled: RateLimited | None = None

    def _limits(self) -> list[tuple[str, str]]:
        # Names are stored in lower case; any other spelling can only fail, and counts against the same name.
        name = (self.cleaned_data.get("username") or "").strip().lower()
        return [("login", throttle.client_key(self.request)), ("login_account", throttle.hashed(f"login:{name}"))]

    def clean(self):
        limits = self._limits()
        try:
            for scope, key in limits:
                throttle.refuse_if_used_up(scope, key, "Too many failed sign-ins")
        except RateLimited as exc:
            self.throttled = exc
            minutes = max(1, math.ceil(exc.details["retry_after"] / 60))
            raise ValidationError(
                gettext("Too many failed sign-ins for this name or from this address. Signing in is paused for "
                        "{minutes} min.; please try again then.").format(minutes=minutes),
                code="throttled") from exc
        try:
            return super().clean()
        except ValidationError:
            for scope, key in limits:
                try:
                    throttle.hit(scope, key, "Too many failed sign-ins")
                except RateLimited:
                    pass  # this attempt has already failed; the next one is refused before it is tried
            raise


class SignInForm(ThrottledSignIn, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledSignIn, AdminAuthenticationForm):
    pass
