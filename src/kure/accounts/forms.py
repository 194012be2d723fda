from django import forms
from django.utils.translation import gettext_lazy as _


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
