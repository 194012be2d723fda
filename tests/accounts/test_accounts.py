import pytest
from django.contrib.auth import authenticate

from kure.accounts.models import Role, User
from kure.accounts.services import create_person, update_profile
from kure.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["", "Ayşe", "x1 y2", "   ", "@@ ##"])
def test_a_real_name_of_two_words_is_required(name):
    with pytest.raises(InvalidInput) as error:
        create_person(username="kisi", full_name=name, email="k@example.org", password=None)
    assert error.value.details["field"] == "full_name"


def test_roles_are_groups_with_the_right_permissions():
    author = create_person(username="yazar1", full_name="Deniz Yazıcı", email="", password=None, roles=(Role.AUTHOR,))
    editor = create_person(username="editor1", full_name="Selin Aydemir", email="", password=None,
                           roles=(Role.AUTHOR, Role.EDITOR))
    admin = create_person(username="admin1", full_name="Kerem Yılmaz", email="", password=None, roles=(Role.ADMIN,))
    reader = create_person(username="okur1", full_name="Okur Kişi", email="", password=None)
    assert author.has_perm("articles.add_revision") and not author.has_perm("articles.review_revision")
    assert editor.has_perm("articles.review_revision") and editor.has_perm("articles.change_summary")
    assert admin.is_superuser and admin.is_staff
    assert not reader.has_perm("articles.add_revision")


def test_duplicate_or_malformed_usernames_are_refused():
    create_person(username="ayse", full_name="Ayşe Demir", email="", password=None)
    with pytest.raises(InvalidInput, match="taken"):
        create_person(username="AYSE", full_name="Ayşe Kaya", email="", password=None)
    with pytest.raises(InvalidInput, match="username"):
        create_person(username="a b", full_name="Ayşe Kaya", email="", password=None)


def test_signup_signs_in_under_a_real_name_and_keeps_input_on_error(client):
    bad = client.post("/accounts/signup/", {"full_name": "Takma", "username": "takma", "email": "t@example.org",
                                            "password": "çok-gizli-parola-42"})
    assert bad.status_code == 400 and "real first name and surname" in bad.content.decode()
    assert 'value="takma"' in bad.content.decode()
    good = client.post("/accounts/signup/", {"full_name": "Zeynep Çelik", "username": "zeynep",
                                             "email": "z@example.org", "password": "çok-gizli-parola-42"})
    assert good.status_code == 302
    person = User.objects.get(username="zeynep")
    assert person.display_name == "Zeynep Çelik" and not person.has_perm("articles.add_revision")
    assert authenticate(username="zeynep", password="çok-gizli-parola-42") == person


def test_profile_with_avatar_affiliation_and_bio(client, author, png_upload):
    update_profile(person=author, full_name="Ayşe Demir", affiliation="Ankara Üniversitesi",
                   bio="Tarihçi.", avatar=png_upload(width=900, height=900))
    author.refresh_from_db()
    with author.avatar.open("rb") as handle:
        from PIL import Image

        assert Image.open(handle).width == 400
    page = client.get(f"/tr/people/{author.username}/").content.decode()
    assert "Ankara Üniversitesi" in page and "Tarihçi." in page and author.avatar.url in page


def test_profile_edit_refuses_a_non_image_avatar_and_keeps_the_fields(client, author):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(author)
    response = client.post("/accounts/profile/", {"full_name": "Ayşe Demir", "affiliation": "Yeni Kurum",
                                                  "bio": "Yeni biyografi", "avatar": SimpleUploadedFile("a.png", b"x")})
    assert response.status_code == 400
    assert "not an image" in response.content.decode() and "Yeni biyografi" in response.content.decode()


@pytest.mark.django_db
def test_login_page_shows_the_encyclopedias_name_not_the_host(client, settings):
    html = client.get("/accounts/login/", HTTP_HOST="127.0.0.1").content.decode()
    assert f'</span> {settings.KURE_SITE_NAME}' in html
    assert "</span> 127.0.0.1" not in html
