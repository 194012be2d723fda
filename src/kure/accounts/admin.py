from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "full_name", "email", "affiliation", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = UserAdmin.fieldsets + (("Profile", {"fields": ("full_name", "avatar", "affiliation", "bio")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Profile", {"fields": ("full_name", "email")}),)
