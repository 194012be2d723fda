"""Every route of the project, tried by every role, against a table of what each may do.

The table is the specification: one row per URL pattern Django knows (walked from ``get_resolver()``), so a new
view without a row fails ``test_every_route_has_a_row``. Each row gives the address it is tried at (filled
from the demo site, ``demo_site.py``), what a GET answers for each role and, where the view takes POST, what a
POST answers (with the data a real form would send). Every request runs in a savepoint that is rolled back, so
no role's request changes what the next one sees.

Outcomes, per role, in the column order anonymous, reader (signed in, no role), author, translator, editor,
admin (superuser):

    ok    2xx, or a redirect somewhere other than a sign-in page (for a POST: the action was done)
    in    a redirect to sign in (the site's or the admin's)
    400 401 403 404 405 409   that status, with its explanation page or JSON and never a stack trace
    -     not tried

The API ignores the session: its roles are each person's bearer token (anonymous sends none).
"""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction

from .demo_site import ROLES, DemoSite, admin_object_ids, demo_site, routes  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@dataclass
class Row:
    route: str
    url: str  # a template filled from DemoSite.values
    get: str  # six outcomes, one per role
    post: str = "-  -  -  -  -  -"
    data: dict[str, Any] = field(default_factory=dict)  # the POST's form fields (or JSON for the API)
    api: bool = False

    def outcomes(self, method: str) -> dict[str, str]:
        codes = (self.get if method == "GET" else self.post).split()
        assert len(codes) == len(ROLES), f"{self.route}: {method} needs {len(ROLES)} outcomes"
        return dict(zip(ROLES, codes, strict=True))


L = "<str:lang>/"
A = L + "articles/<slug:slug>/"
D = A + "discussions/"
R = "api/v1/articles/<str:slug>/revisions/<int:number>"
SEG = {"action": "save"}

#                                                                       anon reader author transl editor admin
MATRIX = [
    # --- site-wide -----------------------------------------------------------------------------------------
    Row("", "/",                                                        get="ok ok ok ok ok ok"),
    Row("robots.txt", "/robots.txt",                                    get="ok ok ok ok ok ok"),
    Row("sitemap.xml", "/sitemap.xml",                                  get="ok ok ok ok ok ok"),
    Row("feeds/<str:lang>/atom.xml", "/feeds/{lang}/atom.xml",          get="ok ok ok ok ok ok"),
    Row("^media/(?P<path>.*)$", "/media/{media}",                       get="ok ok ok ok ok ok"),
    Row(L, "/{lang}/",                                                  get="ok ok ok ok ok ok"),
    # --- accounts ------------------------------------------------------------------------------------------
    Row("accounts/login/", "/accounts/login/",                          get="ok ok ok ok ok ok",
        post="ok ok ok ok ok ok", data={"username": "yok", "password": "yanlış"}),
    Row("accounts/logout/", "/accounts/logout/",                        get="405 405 405 405 405 405",
        post="ok ok ok ok ok ok"),
    Row("accounts/signup/", "/accounts/signup/",                        get="ok ok ok ok ok ok",
        post="400 400 400 400 400 400", data={"full_name": "Tek"}),
    Row("accounts/profile/", "/accounts/profile/",                      get="in ok ok ok ok ok",
        post="in ok ok ok ok ok", data={"full_name": "Yeni Ad", "affiliation": "", "bio": ""}),
    Row(L + "people/<str:username>/", "/{lang}/people/{username}/",     get="ok ok ok ok ok ok"),
    # --- reading articles ----------------------------------------------------------------------------------
    Row(A, "/{lang}/articles/{slug}/",                                  get="ok ok ok ok ok ok"),
    Row(A + "history/", "/{lang}/articles/{slug}/history/",             get="ok ok ok ok ok ok"),
    Row(A + "diff/", "/{lang}/articles/{slug}/diff/?from=1&to=2",       get="ok ok ok ok ok ok"),
    # A revision waiting for review: only those who write or review see it; to others it does not exist.
    Row(A + "revisions/<int:number>/", "/{lang}/articles/{pending_slug}/revisions/{pending_number}/",
        get="404 404 ok 404 ok ok"),
    Row(L + "categories/", "/{lang}/categories/",                       get="ok ok ok ok ok ok"),
    Row(L + "categories/<path:path>/", "/{lang}/categories/{path}/",    get="ok ok ok ok ok ok"),
    Row(L + "tags/<slug:slug>/", "/{lang}/tags/{tag}/",                 get="ok ok ok ok ok ok"),
    Row(L + "search/", "/{lang}/search/?q=NATO",                        get="ok ok ok ok ok ok"),
    Row(L + "search/suggest/", "/{lang}/search/suggest/?q=nat",         get="ok ok ok ok ok ok"),
    Row(L + "ask/", "/{lang}/ask/?q=NATO+toplantısı+nerede+yapıldı",    get="ok ok ok ok ok ok"),
    # --- writing and reviewing -----------------------------------------------------------------------------
    Row(L + "articles/new/", "/{lang}/articles/new/",                   get="in 403 ok 403 ok ok",
        post="in 403 ok 403 ok ok", data={"title": "Yepyeni Madde", "body": "Metin.", "language": "tr", **SEG}),
    Row(L + "articles/upload-image/", "/{lang}/articles/upload-image/", get="405 405 405 405 405 405",
        post="403 403 400 403 400 400"),
    Row(L + "articles/preview/", "/{lang}/articles/preview/",           get="405 405 405 405 405 405",
        post="403 403 ok 403 ok ok", data={"body": "**kalın**"}),
    Row(A + "edit/", "/{lang}/articles/{slug}/edit/",                   get="in 403 ok 403 ok ok",
        post="in 403 ok 403 ok ok",
        data={"title": "Başlık", "body": "Metin.", "edit_summary": "", "base_revision": "{nato_head}", **SEG}),
    Row(A + "revisions/<int:number>/submit/", "/{lang}/articles/{draft_slug}/revisions/{draft_number}/submit/",
        get="405 405 405 405 405 405",                                  post="403 403 ok 403 ok ok"),
    Row(A + "revisions/<int:number>/review/",
        "/{lang}/articles/{pending_slug}/revisions/{pending_number}/review/",
        get="in 403 403 403 ok ok",                                     post="403 403 403 403 ok ok",
        data={"action": "request_changes", "comment": "Kaynak ekleyin."}),
    Row(A + "revisions/<int:number>/rollback/", "/{lang}/articles/{slug}/revisions/1/rollback/",
        get="405 405 405 405 405 405",                                  post="403 403 403 403 ok ok"),
    Row(A + "summary/", "/{lang}/articles/{slug}/summary/",             get="405 405 405 405 405 405",
        post="403 403 403 403 ok ok", data={"summary": "Kısa bir özet."}),
    Row(A + "metadata/", "/{lang}/articles/{slug}/metadata/",           get="in 403 403 403 ok ok",
        post="403 403 403 403 ok ok", data={"tags": "NATO", "lead_image_caption": "", "lead_image_credit": ""}),
    Row(L + "desk/", "/{lang}/desk/",                                   get="in 403 403 403 ok ok"),
    Row(L + "desk/reviews/", "/{lang}/desk/reviews/",                   get="in 403 403 403 ok ok"),
    Row(L + "desk/questions/", "/{lang}/desk/questions/",               get="in 403 403 403 ok ok"),
    # --- translations (the NATO article has a reviewed English translation) ---------------------------------
    Row(A + "translate/", "/en/articles/{slug}/translate/",             get="in 403 403 ok ok ok",
        post="in 403 403 ok ok ok"),
    Row(A + "translate/review/", "/en/articles/{slug}/translate/review/", get="ok ok ok ok ok ok",
        post="403 403 403 403 409 409", data={"action": "approve"}),
    # --- discussions ---------------------------------------------------------------------------------------
    Row(D, "/{lang}/articles/{slug}/discussions/",                      get="ok ok ok ok ok ok"),
    Row(D + "new/", "/{lang}/articles/{slug}/discussions/new/",         get="ok ok ok ok ok ok",
        post="in ok ok ok ok ok", data={"title": "Yeni bir soru", "body": "Kaynak nedir?"}),
    Row(D + "<int:thread_id>/", "/{lang}/articles/{slug}/discussions/{thread_id}/", get="ok ok ok ok ok ok"),
    Row(D + "<int:thread_id>/reply/", "/{lang}/articles/{slug}/discussions/{thread_id}/reply/",
        get="405 405 405 405 405 405", post="in ok ok ok ok ok", data={"body": "Katılıyorum."}),
    Row(D + "<int:thread_id>/moderate/", "/{lang}/articles/{slug}/discussions/{thread_id}/moderate/",
        get="405 405 405 405 405 405", post="in 403 403 403 ok ok", data={"action": "lock"}),
    # The post is the reader's own.
    Row(D + "posts/<int:post_id>/edit/", "/{lang}/articles/{slug}/discussions/posts/{post_id}/edit/",
        get="in ok 403 403 403 403", post="in ok 403 403 403 403", data={"body": "Düzeltilmiş yanıt."}),
    Row(D + "posts/<int:post_id>/delete/", "/{lang}/articles/{slug}/discussions/posts/{post_id}/delete/",
        get="405 405 405 405 405 405", post="in ok 403 403 ok ok"),
    Row(D + "posts/<int:post_id>/hide/", "/{lang}/articles/{slug}/discussions/posts/{post_id}/hide/",
        get="405 405 405 405 405 405", post="in 403 403 403 ok ok", data={"hidden": "1"}),
    Row(D + "posts/<int:post_id>/report/", "/{lang}/articles/{slug}/discussions/posts/{post_id}/report/",
        get="in ok ok ok ok ok", post="in ok ok ok ok ok", data={"reason": "Konu dışı bir yanıt."}),
    # --- error reports -------------------------------------------------------------------------------------
    Row(L + "reports/new/", "/{lang}/reports/new/?article={slug}",      get="ok ok ok ok ok ok",
        post="ok ok ok ok ok ok",
        data={"article": "{slug}", "section": "", "kind": "fact", "description": "Bir tarih yanlış görünüyor."}),
    Row(L + "reports/thanks/", "/{lang}/reports/thanks/?article={slug}", get="ok ok ok ok ok ok"),
    Row(L + "reports/", "/{lang}/reports/",                             get="in 403 403 403 ok ok"),
    Row(L + "reports/<int:pk>/decide/", "/{lang}/reports/{report}/decide/", get="405 405 405 405 405 405",
        post="in 403 403 403 ok ok", data={"action": "dismiss", "note": "Tarih doğru."}),
    # --- notifications (the notification is the editor's) --------------------------------------------------
    Row(L + "me/notifications/", "/{lang}/me/notifications/",           get="in ok ok ok ok ok"),
    Row(L + "me/notifications/read/", "/{lang}/me/notifications/read/", get="in 405 405 405 405 405",
        post="in ok ok ok ok ok"),
    Row(L + "me/notifications/settings/", "/{lang}/me/notifications/settings/", get="in ok ok ok ok ok",
        post="in ok ok ok ok ok", data={"daily_digest": "on", "language": "tr"}),
    Row(L + "me/notifications/<int:pk>/", "/{lang}/me/notifications/{notification}/",
        get="in 404 404 404 ok 404"),
    Row(L + "me/follow/", "/{lang}/me/follow/",                         get="in 405 405 405 405 405",
        post="in ok ok ok ok ok", data={"kind": "article", "target": "{article_pk}"}),
    Row(L + "me/unfollow/", "/{lang}/me/unfollow/",                     get="in 405 405 405 405 405",
        post="in ok ok ok ok ok", data={"kind": "article", "target": "{article_pk}"}),
    # --- the API: bearer tokens, JSON; writes need a token ---------------------------------------------------
    Row("api/v1/openapi.json", "/api/v1/openapi.json",                  get="ok ok ok ok ok ok", api=True),
    Row("api/v1/search", "/api/v1/search?q=NATO",                       get="ok ok ok ok ok ok", api=True),
    Row("api/v1/ask", "/api/v1/ask?q=NATO+nerede+toplandı",             get="ok ok ok ok ok ok", api=True),
    Row("api/v1/articles", "/api/v1/articles",                          get="ok ok ok ok ok ok", api=True,
        post="401 403 ok 403 ok ok", data={"title": "API ile Madde", "body": "Metin.", "language": "tr"}),
    Row("api/v1/articles/<str:slug>", "/api/v1/articles/{slug}",        get="ok ok ok ok ok ok", api=True),
    Row("api/v1/articles/<str:slug>/revisions", "/api/v1/articles/{slug}/revisions", api=True,
        get="ok ok ok ok ok ok",                                        post="401 403 ok 403 ok ok",
        data={"base_revision": "{nato_head}", "title": "Başlık", "body": "Metin."}),
    Row(R, "/api/v1/articles/{pending_slug}/revisions/{pending_number}", get="404 404 ok 404 ok ok", api=True),
    Row(R + "/submit", "/api/v1/articles/{draft_slug}/revisions/{draft_number}/submit", api=True,
        get="405 405 405 405 405 405",                                  post="401 403 ok 403 ok ok"),
    Row(R + "/approve", "/api/v1/articles/{pending_slug}/revisions/{pending_number}/approve", api=True,
        get="405 405 405 405 405 405",                                  post="401 403 403 403 ok ok"),
    Row(R + "/request-changes", "/api/v1/articles/{pending_slug}/revisions/{pending_number}/request-changes",
        api=True, get="405 405 405 405 405 405", post="401 403 403 403 ok ok", data={"comment": "Kaynak?"}),
    Row("api/v1/articles/<str:slug>/discussions", "/api/v1/articles/{slug}/discussions", api=True,
        get="ok ok ok ok ok ok", post="401 ok ok ok ok ok", data={"title": "API sorusu", "body": "Metin."}),
    Row("api/v1/discussions/<int:thread_id>/posts", "/api/v1/discussions/{thread_id}/posts", api=True,
        get="405 405 405 405 405 405", post="401 ok ok ok ok ok", data={"body": "API yanıtı."}),
    Row("api/v1/^(?P<path>.*)$", "/api/v1/yok-boyle-bir-yer",           get="404 404 404 404 404 404", api=True),
]


# --- the admin: Django's own views, staff only. Every page of every registered model is tried. -------------

# Written by the site's own services or the task queue, never by hand in the admin, even by an administrator.
READ_ONLY_IN_ADMIN = {
    "admin:django_tasks_database_dbtaskresult_add", "admin:django_tasks_database_dbtaskresult_delete",
    "admin:articles_revision_add", "admin:translation_translationjob_add",
}

def admin_rows() -> list[Row]:
    ids = admin_object_ids()
    rows = []
    for route, name in routes():
        if not route.startswith("admin/"):
            continue
        url, get = "/" + route, "in in in in in ok"
        model = next((key for key in ids if route.startswith("admin/" + key.replace("_", "/", 1) + "/")), None)
        if model:
            url = url.replace("<path:object_id>", ids[model]).replace("<id>", ids[model])
        if route.endswith("(?P<app_label>auth|django_tasks_database|accounts|articles|translation)/$"):
            url = "/admin/articles/"
        elif route == "admin/(?P<url>.*)$":
            url, get = "/admin/yok/", "in in in in in 404"
        elif route == "admin/r/<path:content_type_id>/<path:object_id>/":
            url = "/admin/r/{article_ct}/{article_pk}/"
        elif route == "admin/autocomplete/":
            url = "/admin/autocomplete/?app_label=articles&model_name=article&field_name=category"
        elif route == "admin/logout/":  # GET is refused; someone not signed in to the admin is sent to it
            get = "ok ok ok ok ok 405"
        elif route == "admin/login/":
            get = "ok ok ok ok ok ok"
        elif name in READ_ONLY_IN_ADMIN:
            get = "in in in in in 403"
        rows.append(Row(route, url, get=get))
    return rows


def outcome(response) -> str:
    status = response.status_code
    if 300 <= status < 400:
        location = response["Location"]
        return "in" if "/accounts/login/" in location or "/admin/login/" in location else "ok"
    return "ok" if 200 <= status < 300 else str(status)


def _send(site: DemoSite, row: Row, role: str, method: str):
    url = site.fill(row.url)
    data = {k: site.fill(v) if isinstance(v, str) else v for k, v in row.data.items()}
    if row.api:  # JSON wants ids as numbers
        data = {k: int(v) if isinstance(v, str) and v.isdigit() else v for k, v in data.items()}
    client = site.api_client(role) if row.api else site.client(role)
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif row.api:
            response = client.post(url, json.dumps(data), content_type="application/json")
        else:
            response = client.post(url, data)
        transaction.set_rollback(True)
    return response


def test_every_route_has_a_row():
    known = {row.route for row in MATRIX} | {row.route for row in admin_rows()}
    missing = [route for route, _ in routes() if route not in known]
    stale = sorted({row.route for row in MATRIX} - {route for route, _ in routes()})
    assert not missing, f"routes without a row in the permission matrix: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_every_role_gets_what_the_matrix_says(demo_site):  # noqa: F811
    failures, actual_table = [], []
    for row in MATRIX + admin_rows():
        for method in ("GET", "POST"):
            expected = row.outcomes(method)
            if set(expected.values()) == {"-"}:
                continue
            got = {}
            for role in ROLES:
                if expected[role] == "-":
                    got[role] = "-"
                    continue
                response = _send(demo_site, row, role, method)
                got[role] = outcome(response)
                body = b"".join(response.streaming_content if response.streaming else [response.content])
                body = body.decode(errors="replace")
                if response.status_code >= 500 or "Traceback" in body:
                    failures.append(f"{method} {row.route} as {role}: {response.status_code}, a server error")
                elif got[role] != expected[role]:
                    where = response.get("Location", "") or body[:160].replace("\n", " ")
                    failures.append(f"{method} {row.route} as {role}: expected {expected[role]}, got {got[role]}"
                                    f" ({response.status_code} {where})")
            actual_table.append(f"{method:4} {row.route:70} {' '.join(f'{got[r]:>3}' for r in ROLES)}")
    assert not failures, "\n".join(failures) + "\n\nwhat each role got:\n" + "\n".join(actual_table)
