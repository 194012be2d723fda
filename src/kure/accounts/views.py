import math

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from ..articles import selectors
from ..core import languages, throttle
from ..core.errors import InvalidInput, RateLimited
from . import services
from .forms import ProfileForm, SignInForm, SignupForm


class SignInView(auth_views.LoginView):
    """Django's sign-in with failed attempts limited (``SignInForm``); a paused sign-in answers 429."""

    template_name = "accounts/login.html"
    form_class = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
            response["Retry-After"] = str(form.throttled.details["retry_after"])
        return response


def profile(request: HttpRequest, lang: str, username: str) -> HttpResponse:
    languages.require(lang)
    person = selectors.person_by_username(username=username)
    return render(request, "accounts/profile.html", {
        "person": person, "articles": selectors.articles_by_author(author=person),
    })


def signup(request: HttpRequest) -> HttpResponse:
    """Readers may create an account under their real name; an administrator grants the author role."""
    form = SignupForm(request.POST or None)
    limited = False
    if request.method == "POST" and form.is_valid():
        try:
            throttle.hit("signup", throttle.client_key(request), "Too many new accounts from this address")
            person = services.create_person(**form.cleaned_data)
        except RateLimited as error:
            minutes = max(1, math.ceil(error.details["retry_after"] / 60))
            form.add_error(None, gettext("Too many sign-ups from this address. Please try again in {minutes} min.")
                           .format(minutes=minutes))
            limited = True
        except InvalidInput as error:
            field = error.details.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(person.get_absolute_url())
    return render(request, "accounts/signup.html", {"form": form},
                  status=429 if limited else 400 if form.errors else 200)


@login_required
def edit_profile(request: HttpRequest) -> HttpResponse:
    person = request.user
    if request.method != "POST":
        form = ProfileForm(initial={"full_name": person.full_name, "affiliation": person.affiliation,
                                    "bio": person.bio})
        return render(request, "accounts/edit_profile.html", {"form": form})
    form = ProfileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.update_profile(person=person, avatar=request.FILES.get("avatar"),
                                    **{k: form.cleaned_data[k] for k in ("full_name", "affiliation", "bio")})
            return redirect(person.get_absolute_url())
        except InvalidInput as error:
            field = error.details.get("field")
            form.add_error(field if field in form.fields else None, error.message)
    return render(request, "accounts/edit_profile.html", {"form": form}, status=400)
