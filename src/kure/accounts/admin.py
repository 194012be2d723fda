from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .forms import AdminSignInForm
from .models import User

# The admin's sign-in is a second door to the same passwords: it counts failures like the site's (forms.py).
admin.site.login_form = AdminSignInForm


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "full_name", "email", "affiliation", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = UserAdmin.fieldsets + (("Profile", {"fields": ("full_name", "avatar", "affiliation", "bio")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Profile", {"fields": ("full_name", "email")}),)
