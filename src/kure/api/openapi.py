"""The OpenAPI 3.1 description of API v1, written by hand next to the views it describes.

``tests/api/test_openapi.py`` checks that every URL in ``urls.py`` is described here and answers.
"""

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _object(properties: dict[str, Any], *, required: list[str] | None = None, extra: bool = False,
            description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": extra,
                              "required": list(properties) if required is None else required}
    if description:
        schema["description"] = description
    return schema


def _errors(*statuses: int) -> dict[str, Any]:
    names = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
             405: "MethodNotAllowed", 409: "Conflict", 413: "TooLarge", 429: "TooManyRequests"}
    return {str(status): {"$ref": f"#/components/responses/{names[status]}"} for status in statuses}


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}
INTEGER = {"type": "integer"}

READ_ERRORS = (400, 401, 404, 405)
WRITE_ERRORS = (400, 401, 403, 404, 405, 409, 413)
# Reads work without a token; a token that is sent must be valid. Writes need one.
OPTIONAL_TOKEN: list[dict[str, list]] = [{}, {"bearerAuth": []}]
TOKEN: list[dict[str, list]] = [{"bearerAuth": []}]

PARAMETERS = {
    "slug": {"name": "slug", "in": "path", "required": True, "schema": STRING,
             "description": "The article's address, e.g. `birlesmis-milletler`."},
    "number": {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1},
               "description": "The revision's number within its article (1, 2, …)."},
    "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                                          "default": 20}},
    "offset": {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
    "lang": {"name": "lang", "in": "query", "schema": STRING,
             "description": "Language code (one the site publishes in). Defaults to the article's original "
                            "language; other languages answer 404 until translations exist."},
}


def _params(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


REVISION = {
    "id": INTEGER, "number": INTEGER, "title": STRING, "author": _ref("Person"), "created_at": DATETIME,
    "state": _ref("ReviewState"), "edit_summary": STRING,
    "base_revision": {"type": ["integer", "null"], "description": "Id of the revision this one edited."},
    "url": {"type": "string", "format": "uri"},
}

SCHEMAS: dict[str, Any] = {
    "Error": _object({
        "error": {"type": "string", "description": "A machine-readable code, e.g. `not_found`."},
        "message": {"type": "string", "description": "What went wrong, fit to show a person."},
        "field": {"type": "string", "description": "The request field at fault, when one is."},
    }, required=["error", "message"], extra=True,
                     description="Every error. Some carry more details, named in the error's description."),
    "EditConflict": {
        "allOf": [_ref("Error"), _object({
            "current_revision": {"type": "integer",
                                 "description": "Id of the newest revision: the base to retry on."},
            "current_number": INTEGER, "current_title": STRING, "current_body": STRING,
            "your_title": STRING, "your_body": STRING}, extra=True)],
        "description": "The base revision is no longer the newest one (`error`: `edit_conflict`). Both texts "
                       "are included so they can be merged and sent again on top of `current_revision`.",
    },
    "ReviewState": {"type": "string", "enum": ["draft", "submitted", "changes_requested", "approved"]},
    "Person": _object({"username": STRING,
                       "name": {"type": "string", "description": "The person's real name."},
                       "url": {"type": "string", "format": "uri"}}),
    "Section": _object({"anchor": STRING, "heading": STRING,
                        "level": {"type": "integer", "minimum": 2, "maximum": 6}}),
    "ArticleItem": _object({"slug": STRING, "title": STRING, "language": STRING, "published_at": DATETIME,
                            "url": {"type": "string", "format": "uri"}}),
    "Article": _object({
        "title": STRING, "slug": STRING, "language": STRING, "url": {"type": "string", "format": "uri"},
        "category": {"type": ["string", "null"], "description": "Category path, e.g. `gundem/dunya`."},
        "category_name": NULLABLE_STRING,
        "tags": {"type": "array", "items": STRING},
        "author": _ref("Person"),
        "revision_id": {"type": "integer", "description": "Id of the published revision."},
        "revision_number": INTEGER,
        "published_at": DATETIME, "updated_at": DATETIME,
        "summary": STRING,
        "sections": {"type": "array", "items": _ref("Section"), "description": "Headings, in order."},
        "html": {"type": "string", "description": "The sanitised article body."},
    }),
    "Revision": _object(REVISION),
    # Spelt out, not allOf: Revision forbids additional properties, and allOf would apply that here too.
    "RevisionDetail": _object({
        **REVISION, "article": STRING, "body": {"type": "string", "description": "The Markdown source."},
        "sections": {"type": "array", "items": _ref("Section")}, "html": STRING}),
    "NewArticle": _object({
        "title": STRING,
        "body": {"type": "string", "description": "Markdown; `## Heading` starts a section."},
        "language": {"type": "string", "description": "Original language; defaults to the site's first."},
        "slug": {"type": "string", "description": "Address; made from the title when left out."},
        "category": {"type": ["string", "null"], "description": "Names from the root, e.g. `Gündem / Dünya`; "
                                                                  "missing categories are created."},
        "tags": {"type": "array", "items": STRING},
        "edit_summary": STRING,
        "submit": {"type": "boolean", "default": False, "description": "Submit for review right away."},
    }, required=["title", "body"]),
    "NewRevision": _object({
        "base_revision": {"type": "integer",
                          "description": "Id of the newest revision, which the edit starts from; an older "
                                         "one is an edit conflict (409)."},
        "body": STRING,
        "title": {"type": "string", "description": "Defaults to the newest revision's title."},
        "edit_summary": STRING,
        "submit": {"type": "boolean", "default": False},
    }, required=["base_revision", "body"]),
    "Written": _object({"slug": STRING, "revision_id": INTEGER, "revision_number": INTEGER,
                        "state": _ref("ReviewState"), "url": {"type": "string", "format": "uri"}}),
    "Comment": _object({"comment": STRING}, required=[]),
}


def _page(item: str) -> dict[str, Any]:
    return _object({"count": INTEGER, "limit": INTEGER, "offset": INTEGER,
                    "next": {"type": ["string", "null"], "format": "uri"},
                    "previous": {"type": ["string", "null"], "format": "uri"},
                    "results": {"type": "array", "items": _ref(item)}})


SCHEMAS["ArticlePage"] = _page("ArticleItem")
SCHEMAS["RevisionPage"] = _page("Revision")
SCHEMAS["SearchResult"] = _object({
    "slug": STRING, "title": STRING, "language": STRING,
    "section": {"type": "string", "description": "The section's anchor on the article page (empty for the lead)."},
    "heading": STRING, "snippet": {"type": "string", "description": "Plain text around the best match."},
    "score": {"type": "number"}, "url": {"type": "string", "description": "The section on the site."},
})
SCHEMAS["SearchResults"] = _object({
    "query": STRING, "notes": {"type": "array", "items": STRING}, "limit": INTEGER, "offset": INTEGER,
    "has_more": {"type": "boolean"}, "results": {"type": "array", "items": _ref("SearchResult")},
})
SCHEMAS["Citation"] = _object({
    "number": INTEGER, "slug": STRING, "title": STRING,
    "section": {"type": "string", "description": "The cited section's anchor (`/<lang>/articles/<slug>/#<section>`)."},
    "heading": STRING, "language": STRING, "text": {"type": "string", "description": "The sentence quoted."},
    "url": STRING,
})
SCHEMAS["Answer"] = _object({
    "question": STRING, "language": {"type": "string", "description": "The language the question was taken in."},
    "found": {"type": "boolean"},
    "answer": {"type": "string", "description": "The answer with `[n]` citation markers; empty when not found."},
    "answerer": {"type": "string", "description": "`extractive`, or the answer engine that wrote it."},
    "notes": {"type": "array", "items": STRING},
    "citations": {"type": "array", "items": _ref("Citation")},
})

ERROR = _ref("Error")
RESPONSES = {
    "BadRequest": _json(ERROR, "Invalid input: malformed JSON, a wrong content type or field type, an "
                               "unknown field, or text the rules reject (`field` names it)."),
    "Unauthorized": {**_json(ERROR, "No token where one is needed, or a token that is not valid "
                                    "(`error`: `unauthorized`)."),
                     "headers": {"WWW-Authenticate": {"schema": STRING}}},
    "Forbidden": _json(ERROR, "The token's owner lacks the role (`forbidden`), or tried to approve their own "
                              "revision (`review_required`)."),
    "NotFound": _json(ERROR, "No such article, revision, language or translation. A missing translation "
                             "carries `available_languages`; an unknown language carries `languages`."),
    "MethodNotAllowed": {**_json(ERROR, "The method is not allowed here (`allowed_methods` lists the "
                                        "allowed ones)."),
                         "headers": {"Allow": {"schema": STRING}}},
    "Conflict": {"description": "An edit conflict, a review step that the revision's state does not allow "
                                "(`invalid_transition`), or a post to a locked discussion (`locked`).",
                 "content": {"application/json": {"schema": {"oneOf": [_ref("EditConflict"), ERROR]}}}},
    "TooLarge": _json(ERROR, "The request body is too large."),
    "TooManyRequests": _json(ERROR, "Too many requests from this address (`rate_limited`); `retry_after` "
                                    "says how many seconds to wait."),
}


def _operation(operation_id: str, summary: str, ok: dict[str, Any], *, status: int = 200,
               params: tuple[str, ...] = (), body: str | None = None, write: bool = False,
               description: str = "") -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id, "summary": summary, "tags": ["articles"],
        "security": TOKEN if write else OPTIONAL_TOKEN,
        "responses": {str(status): ok, **_errors(*(WRITE_ERRORS if write else READ_ERRORS))},
    }
    if description:
        operation["description"] = description
    if params:
        operation["parameters"] = _params(*params)
    if body:
        operation["requestBody"] = {"required": body != "Comment",
                                    "content": {"application/json": {"schema": _ref(body)}}}
    return operation


_REVIEW = "/articles/{slug}/revisions/{number}"


def _query(name: str, description: str, *, required: bool = False, schema: dict | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema or STRING,
            "description": description}


def _search_operation(operation_id: str, summary: str, ok: dict[str, Any], parameters: list[dict],
                      description: str) -> dict[str, Any]:
    return {"operationId": operation_id, "summary": summary, "tags": ["search"], "security": OPTIONAL_TOKEN,
            "description": description, "parameters": parameters,
            "responses": {"200": ok, **_errors(400, 401, 404, 405, 429)}}


SEARCH_PARAMETERS = [
    _query("q", "The words to search for (up to 500 characters are used).", required=True),
    _query("lang", "Only sections in this language; also the language the words are analysed in."),
    _query("category", "A category path (`bilim/tarih`): that category and those below it."),
    _query("tag", "A tag's slug."),
    _query("limit", "How many results (1–50).", schema={"type": "integer", "minimum": 1, "maximum": 50,
                                                         "default": 10}),
    _query("offset", "How many results to skip (0–500).", schema={"type": "integer", "minimum": 0,
                                                                   "maximum": 500, "default": 0}),
]
ASK_PARAMETERS = [
    _query("q", "The question (up to 1,000 characters).", required=True),
    _query("lang", "The reader's language: the answer comes from sections in it where a translation exists; "
                   "a question clearly written in another site language is answered in that one."),
    _query("article", "Answer from this article (its slug) only."),
]

PATHS: dict[str, Any] = {
    "/openapi.json": {"get": {
        "operationId": "getOpenApi", "summary": "This document", "tags": ["meta"], "security": OPTIONAL_TOKEN,
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/search": {"get": _search_operation(
        "search", "Full-text search over published sections",
        _json(_ref("SearchResults"), "Sections, best first."), SEARCH_PARAMETERS,
        "Words are matched by their stems in the section's language (Turkish İ/ı, suffixes), and also without "
        "diacritics; ranked by BM25 with the title and heading counted in. Any text is accepted: search syntax "
        "characters are treated as text.")},
    "/ask": {"get": _search_operation(
        "ask", "Ask a question; the answer is taken from the articles, with citations",
        _json(_ref("Answer"), "The answer, or `found: false` when the encyclopedia does not hold one."),
        ASK_PARAMETERS,
        "Sections are found by words and by meaning, also across languages. The answer is the sentences "
        "that answer best, each cited; `citations` are in the order the answer uses them, `section` is the "
        "anchor of the section on the article page.")},
    "/articles": {
        "get": _operation("listArticles", "Published articles, newest first",
                          _json(_ref("ArticlePage"), "A page of articles."), params=("limit", "offset")),
        "post": _operation("createArticle", "Write a new article (author token)",
                           _json(_ref("Written"), "The article and its first revision, a draft unless "
                                                  "submitted."),
                           status=201, body="NewArticle", write=True),
    },
    "/articles/{slug}": {"get": _operation(
        "getArticle", "A published article", _json(_ref("Article"), "The article as readers see it."),
        params=("slug", "lang"),
        description="Unpublished articles are 404 for everyone here; authors read drafts through the "
                    "revisions endpoints.")},
    "/articles/{slug}/revisions": {
        "get": _operation("listRevisions", "An article's revisions, newest first",
                          _json(_ref("RevisionPage"), "A page of revisions."),
                          params=("slug", "limit", "offset"),
                          description="Without an author's token, only approved revisions of published "
                                      "articles."),
        "post": _operation("createRevision", "Edit an article (author token)",
                           _json(_ref("Written"), "The new revision, a draft unless submitted."),
                           status=201, params=("slug",), body="NewRevision", write=True),
    },
    _REVIEW: {"get": _operation(
        "getRevision", "One revision with its source text",
        _json(_ref("RevisionDetail"), "The revision."), params=("slug", "number"),
        description="Without an author's token, only approved revisions.")},
    f"{_REVIEW}/submit": {"post": _operation(
        "submitRevision", "Submit a draft for review (its author's or an editor's token)",
        _json(_ref("Revision"), "The revision, now submitted."), params=("slug", "number"), write=True)},
    f"{_REVIEW}/approve": {"post": _operation(
        "approveRevision", "Approve and publish a submitted revision (editor token; not one's own)",
        _json(_ref("Revision"), "The revision, now approved and published."), params=("slug", "number"),
        body="Comment", write=True)},
    f"{_REVIEW}/request-changes": {"post": _operation(
        "requestChanges", "Send a submitted revision back with a comment (editor token)",
        _json(_ref("Revision"), "The revision, now with changes requested."), params=("slug", "number"),
        body="Comment", write=True, description="`comment` is required here.")},
}

# --- discussions (kure.discussions) ---
PARAMETERS["thread_id"] = {"name": "thread_id", "in": "path", "required": True,
                           "schema": {"type": "integer", "minimum": 1}, "description": "The thread's id."}
SCHEMAS["DiscussionPost"] = _object({
    "id": INTEGER, "thread_id": INTEGER,
    "reply_to": {"type": ["integer", "null"], "description": "The top-level post this one answers, if any."},
    "author": _ref("Person"), "created_at": DATETIME, "edited_at": {"type": ["string", "null"], "format": "date-time"},
    "deleted": {"type": "boolean", "description": "Deleted by its author or an editor: `body` and `html` are empty."},
    "body": {"type": "string", "description": "The Markdown source (a small subset)."},
    "html": {"type": "string", "description": "The sanitised HTML."},
})
SCHEMAS["WrittenPost"] = _object({
    **SCHEMAS["DiscussionPost"]["properties"], "url": {"type": "string", "format": "uri"}})
SCHEMAS["DiscussionThread"] = _object({
    "id": INTEGER, "title": STRING, "author": _ref("Person"), "created_at": DATETIME, "last_post_at": DATETIME,
    "pinned": {"type": "boolean"}, "locked": {"type": "boolean", "description": "Locked threads take no posts."},
    "post_count": {"type": "integer", "description": "Posts readers can see, deleted ones included."},
    "url": {"type": "string", "format": "uri"},
    "latest_posts": {"type": "array", "items": _ref("DiscussionPost"), "description": "Up to 3, newest first."},
})
SCHEMAS["DiscussionThreadPage"] = _page("DiscussionThread")
SCHEMAS["NewThread"] = _object({
    "title": {"type": "string", "maxLength": 200},
    "body": {"type": "string", "maxLength": 10000,
             "description": "Markdown subset: emphasis, http(s) links, inline code, lists, quotes."}})
SCHEMAS["NewPost"] = _object({
    "body": {"type": "string", "maxLength": 10000},
    "reply_to": {"type": "integer", "description": "Answer this post; a reply to a reply attaches to its "
                                                  "top-level post."}}, required=["body"])
_DISCUSSION_RULES = ("The caller must have a real name on their account. Accounts younger than 7 days or with "
                     "fewer than 3 posts may include at most 1 link. Rate limits apply per address and per "
                     "account (429).")


def _discussion_write(operation_id: str, summary: str, ok: dict[str, Any], params: tuple[str, ...], body: str,
                      description: str) -> dict[str, Any]:
    operation = _operation(operation_id, summary, ok, status=201, params=params, body=body, write=True,
                           description=f"{description} {_DISCUSSION_RULES}")
    operation["tags"] = ["discussions"]
    operation["responses"].update(_errors(429))
    return operation


_list_threads = _operation(
    "listDiscussions", "An article's discussions, pinned first, then the most recently active",
    _json(_ref("DiscussionThreadPage"), "A page of threads with their latest posts."),
    params=("slug", "limit", "offset"),
    description="Public: hidden threads and posts are left out for every caller; deleted posts are marked.")
_list_threads["tags"] = ["discussions"]
PATHS["/articles/{slug}/discussions"] = {
    "get": _list_threads,
    "post": _discussion_write("createDiscussion", "Start a discussion about a published article",
                              _json(_ref("DiscussionThread"), "The new thread with its opening post."),
                              ("slug",), "NewThread", "404 for an unpublished article."),
}
PATHS["/discussions/{thread_id}/posts"] = {"post": _discussion_write(
    "createDiscussionPost", "Reply in a discussion", _json(_ref("WrittenPost"), "The new post."),
    ("thread_id",), "NewPost", "409 (`locked`) when an editor locked the thread; 404 when it is hidden.")}
# --- end discussions ---

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Küre API",
        "version": "1",
        "description": "Read published articles, and write and review them with a token. Create a token "
                       "with `kure token create USERNAME` and send it as `Authorization: Bearer <token>`. "
                       "Errors are JSON: `{\"error\": code, \"message\": text, …details}`.",
        "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    },
    "servers": [{"url": "/api/v1"}],
    "tags": [{"name": "articles"}, {"name": "search"}, {"name": "discussions"}, {"name": "meta"}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "parameters": PARAMETERS,
        "responses": RESPONSES,
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A token from `kure token create`."}},
    },
}
