"""Discussion pages. Plain forms and POST-redirect-GET, so everything works without JavaScript.

When a post is refused (a rule, a rate limit, the honeypot), the page is shown again with what the person typed
still in the form and the reason above it.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from ..core import languages
from ..core.errors import InvalidInput, KureError, PermissionDenied
from . import rules, selectors, services

HONEYPOT = "website"


def _login(request: HttpRequest) -> HttpResponse:
    return redirect(f"/accounts/login/?next={request.path}")


def _check_honeypot(request: HttpRequest) -> None:
    # A person never sees this field; a bot that fills every input does. Say nothing about why.
    if request.POST.get(HONEYPOT, ""):
        raise InvalidInput("Your post could not be sent. Please try again.")


def _base_url(lang: str, slug: str) -> str:
    return f"/{lang}/articles/{slug}/discussions/"


def thread_list(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    languages.require(lang)
    article = selectors.article_for_discussion(slug=slug)
    return render(request, "discussions/list.html", {
        "article": article, "threads": selectors.threads(article=article, viewer=request.user),
        "base_url": _base_url(lang, slug), "is_editor": services.is_editor(request.user),
    })


@require_http_methods(["GET", "POST"])
def thread_new(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    languages.require(lang)
    article = selectors.article_for_discussion(slug=slug)
    context = {"article": article, "base_url": _base_url(lang, slug), "typed": {"title": "", "body": ""},
               "error": ""}
    if request.method == "GET":
        return render(request, "discussions/new.html", context)
    if not request.user.is_authenticated:
        return _login(request)
    context["typed"] = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
    try:
        _check_honeypot(request)
        rules.check_rate(request, request.user)
        thread = services.start_thread(article=article, author=request.user, title=context["typed"]["title"],
                                       body=context["typed"]["body"])
    except KureError as error:
        context["error"], context["error_field"] = rules.message_for(error), error.details.get("field", "")
        return render(request, "discussions/new.html", context, status=error.status)
    messages.success(request, gettext("Your discussion was started."))
    return redirect(thread.get_absolute_url(lang))


def _thread_page(request: HttpRequest, lang: str, slug: str, thread_id: int, *, extra: dict | None = None,
                 status: int = 200) -> HttpResponse:
    article = selectors.article_for_discussion(slug=slug)
    thread = selectors.thread_by_id(thread_id=thread_id, viewer=request.user, article=article)
    nodes = selectors.thread_posts(thread=thread, viewer=request.user)
    for node in nodes:
        for post in [node.post, *node.replies]:
            post.editable = services.can_edit(post, request.user)  # type: ignore[attr-defined]
    context = {"article": article, "thread": thread, "nodes": nodes, "base_url": _base_url(lang, slug),
               "is_editor": services.is_editor(request.user), "typed": {"body": "", "reply_to": ""}, "error": "",
               "edit_minutes": rules.setting("EDIT_MINUTES")}
    context.update(extra or {})
    return render(request, "discussions/thread.html", context, status=status)


def thread_detail(request: HttpRequest, lang: str, slug: str, thread_id: int) -> HttpResponse:
    languages.require(lang)
    return _thread_page(request, lang, slug, thread_id)


@require_POST
def thread_reply(request: HttpRequest, lang: str, slug: str, thread_id: int) -> HttpResponse:
    languages.require(lang)
    if not request.user.is_authenticated:
        return _login(request)
    article = selectors.article_for_discussion(slug=slug)
    thread = selectors.thread_by_id(thread_id=thread_id, viewer=request.user, article=article)
    typed = {"body": request.POST.get("body", ""), "reply_to": request.POST.get("reply_to", "")}
    try:
        _check_honeypot(request)
        reply_to = None
        if typed["reply_to"]:
            if not typed["reply_to"].isdigit():
                raise InvalidInput("The post you are replying to is not in this discussion.")
            reply_to = selectors.post_by_id(post_id=int(typed["reply_to"]), viewer=request.user)
        rules.check_rate(request, request.user)
        post = services.reply(thread=thread, author=request.user, body=typed["body"], reply_to=reply_to)
    except KureError as error:
        return _thread_page(request, lang, slug, thread_id, status=error.status,
                            extra={"typed": typed, "error": rules.message_for(error)})
    messages.success(request, gettext("Your reply was posted."))
    return redirect(post.get_absolute_url(lang))


@require_POST
def thread_moderate(request: HttpRequest, lang: str, slug: str, thread_id: int) -> HttpResponse:
    languages.require(lang)
    if not request.user.is_authenticated:
        return _login(request)
    article = selectors.article_for_discussion(slug=slug)
    thread = selectors.thread_by_id(thread_id=thread_id, viewer=request.user, article=article)
    action = request.POST.get("action", "")
    actions = {
        "lock": (services.set_thread_locked, "locked", True), "unlock": (services.set_thread_locked, "locked", False),
        "pin": (services.set_thread_pinned, "pinned", True), "unpin": (services.set_thread_pinned, "pinned", False),
        "hide": (services.set_thread_hidden, "hidden", True), "unhide": (services.set_thread_hidden, "hidden", False),
    }
    if action not in actions:
        raise InvalidInput("Unknown moderation action.")
    service, name, value = actions[action]
    service(thread=thread, editor=request.user, **{name: value})
    messages.success(request, gettext("The discussion was updated."))
    return redirect(thread.get_absolute_url(lang))


@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, lang: str, slug: str, post_id: int) -> HttpResponse:
    languages.require(lang)
    if not request.user.is_authenticated:
        return _login(request)
    post = selectors.post_by_id(post_id=post_id, viewer=request.user)
    if post.thread.article.slug != slug:
        raise InvalidInput("This post belongs to another article's discussion.")
    if post.author_id != request.user.pk:
        raise PermissionDenied("Only the author of a post can edit it.")
    context = {"article": post.thread.article, "thread": post.thread, "post": post, "typed": {"body": post.body},
               "error": "", "base_url": _base_url(lang, slug)}
    if request.method == "POST":
        context["typed"] = {"body": request.POST.get("body", "")}
        try:
            post = services.edit_post(post=post, actor=request.user, body=context["typed"]["body"])
        except KureError as error:
            context["error"] = rules.message_for(error)
            return render(request, "discussions/edit.html", context, status=error.status)
        messages.success(request, gettext("Your post was saved."))
        return redirect(post.get_absolute_url(lang))
    if not services.can_edit(post, request.user):
        context["error"] = rules.message_for(rules.error(
            InvalidInput, "A post can be edited only in the first {minutes} minutes after it is sent.",
            minutes=rules.setting("EDIT_MINUTES")))
    return render(request, "discussions/edit.html", context)


@require_POST
def post_delete(request: HttpRequest, lang: str, slug: str, post_id: int) -> HttpResponse:
    languages.require(lang)
    if not request.user.is_authenticated:
        return _login(request)
    post = services.delete_post(post=selectors.post_by_id(post_id=post_id, viewer=request.user), actor=request.user)
    messages.success(request, gettext("The post was deleted."))
    return redirect(post.get_absolute_url(lang))


@require_POST
def post_hide(request: HttpRequest, lang: str, slug: str, post_id: int) -> HttpResponse:
    languages.require(lang)
    if not request.user.is_authenticated:
        return _login(request)
    post = selectors.post_by_id(post_id=post_id, viewer=request.user)
    hidden = request.POST.get("hidden", "1") == "1"
    post = services.set_post_hidden(post=post, editor=request.user, hidden=hidden)
    messages.success(request, gettext("The post was hidden.") if hidden else gettext("The post is visible again."))
    return redirect(post.get_absolute_url(lang))


@require_http_methods(["GET", "POST"])
def post_report(request: HttpRequest, lang: str, slug: str, post_id: int) -> HttpResponse:
    languages.require(lang)
    if not request.user.is_authenticated:
        return _login(request)
    post = selectors.post_by_id(post_id=post_id, viewer=request.user)
    context = {"article": post.thread.article, "thread": post.thread, "post": post, "typed": {"reason": ""},
               "error": "", "base_url": _base_url(lang, slug)}
    if request.method == "POST":
        context["typed"] = {"reason": request.POST.get("reason", "")}
        try:
            _check_honeypot(request)
            services.report_post(post=post, reporter=request.user, reason=context["typed"]["reason"])
        except KureError as error:
            context["error"] = rules.message_for(error)
            return render(request, "discussions/report.html", context, status=error.status)
        messages.success(request, gettext("Thank you: the editors will look at the post."))
        return redirect(post.get_absolute_url(lang))
    return render(request, "discussions/report.html", context)
