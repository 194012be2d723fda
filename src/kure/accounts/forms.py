from django import forms


class SignupForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Real name (first name and surname)")
    username = forms.CharField(max_length=40)
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput, strip=False)


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Real name")
    affiliation = forms.CharField(max_length=200, required=False)
    bio = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 5}))
    avatar = forms.FileField(required=False)
