"""Creating people and changing their profiles: always under a real name."""

import re

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ..articles import images
from ..core.errors import InvalidInput
from .models import Role, User

_USERNAME = re.compile(r"^[a-z0-9_.-]{2,40}$")
# Letters, with the apostrophes, hyphens and dots that real names carry ("O'Neil", "Ayşe-Nur", "M.").
_NAME_PART = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’.-])*$")


def clean_full_name(full_name: str) -> str:
    """A real name is at least two words of letters, as a person is known in print."""
    name = " ".join((full_name or "").split())
    parts = name.split(" ")
    if len(parts) < 2 or not all(_NAME_PART.match(p) for p in parts):
        raise InvalidInput("Give your real first name and surname (for example “Edanur Karakoç”): everything "
                           "written here is signed.", field="full_name")
    if len(name) > 150:
        raise InvalidInput("A name is at most 150 characters.", field="full_name")
    return name


@transaction.atomic
def create_person(*, username: str, full_name: str, email: str, password: str | None,
                  roles: tuple[Role, ...] = (), affiliation: str = "", bio: str = "") -> User:
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        raise InvalidInput("A username is 2–40 lower-case letters, digits, dots, dashes or underscores.",
                           field="username")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"The username “{username}” is taken.", field="username")
    person = User(username=username, full_name=clean_full_name(full_name), email=(email or "").strip(),
                  affiliation=affiliation.strip()[:200], bio=bio.strip()[:2000])
    if password:
        try:
            validate_password(password, person)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password") from exc
        person.set_password(password)
    else:
        person.set_unusable_password()
    if Role.ADMIN in roles:
        person.is_staff = person.is_superuser = True
    person.save()
    if roles:
        person.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    return person


@transaction.atomic
def update_profile(*, person: User, full_name: str, affiliation: str, bio: str,
                   avatar: UploadedFile | None = None) -> User:
    person.full_name = clean_full_name(full_name)
    person.affiliation = (affiliation or "").strip()[:200]
    person.bio = (bio or "").strip()[:2000]
    if avatar:
        person.avatar, _ = images.sanitised_upload(avatar, max_width=400)
    person.save()
    return person
