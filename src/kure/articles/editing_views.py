"""Writing and reviewing: thin views over services. Whatever a person typed is redisplayed on any error."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..core import languages
from ..core.errors import EditConflict, InvalidInput, KureError, PermissionDenied
from . import selectors, services
from .diff import word_diff
from .forms import ArticleForm, MetadataForm, RevisionForm, split_tags
from .markup import render as render_markdown
from .models import Category


def _require_perm(request: HttpRequest, perm: str, message: str) -> None:
    if not request.user.is_authenticated or not request.user.has_perm(perm):
        raise PermissionDenied(message)


def _sign_in_first(request: HttpRequest) -> HttpResponse | None:
    """Someone signed out who opens an editors' page (a link from an email, a session that expired) is asked to
    sign in, not refused: once signed in they come back here, and only then is their role checked. A POST is
    refused as before, since signing in could not replay it."""
    if request.user.is_authenticated or request.method != "GET":
        return None
    return redirect_to_login(request.get_full_path())


def _attach_error(form, error: KureError) -> None:
    field = error.details.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _insert_image(request: HttpRequest, form) -> bool:
    """Upload an image chosen in the editor and add its Markdown to the body (or the error to the form).

    Returns True when there was an image to handle, so the caller shows the editor again.
    """
    upload = request.FILES.get("insert_image")
    if not upload:
        return False
    try:
        image = services.upload_body_image(user=request.user, upload=upload)
    except KureError as error:
        _attach_error(form, error)
        return True
    alt = " ".join(form.cleaned_data.get("insert_image_alt", "").split()).replace("]", "") or "Görsel"
    data = form.data.copy()
    data["body"] = f"{form.cleaned_data.get('body', '').rstrip()}\n\n![{alt}]({image.image.url})\n"
    data["insert_image_alt"] = ""
    form.data = data
    return True


def _category_from(form) -> Category | None:
    new = form.cleaned_data.get("new_category", "").strip()
    if new:
        return services.category_from_text(new)
    chosen = form.cleaned_data.get("category")
    return Category.objects.filter(pk=chosen).first() if chosen else None


def _editor_page(request, template: str, form, status: int = 200, **context) -> HttpResponse:
    """The editor again, showing what was typed (a bound form renders from its data) and an optional preview."""
    preview = None
    if form.is_bound and request.POST.get("action") in {"preview", "upload"}:
        preview = render_markdown(form.data.get("body", "")).html
    return render(request, template, {"form": form, "preview": preview, **context}, status=status)


@login_required
def create(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    _require_perm(request, "articles.add_revision", "Only authors can write articles.")
    if request.method != "POST":
        form = ArticleForm(initial={"title": request.GET.get("title", "")[:200], "language": lang})
        return _editor_page(request, "articles/edit.html", form, creating=True)
    form = ArticleForm(request.POST, request.FILES)
    if not form.is_valid():
        return _editor_page(request, "articles/edit.html", form, status=400, creating=True)
    if _insert_image(request, form) or request.POST.get("action") == "preview":
        return _editor_page(request, "articles/edit.html", form, creating=True)
    data = form.cleaned_data
    try:
        revision = services.create_article(
            author=request.user, title=data["title"], body=data["body"], language=data["language"],
            slug=data["slug"], category=_category_from(form), tags=split_tags(data["tags"]),
            lead_image=request.FILES.get("lead_image"), lead_image_caption=data["lead_image_caption"],
            lead_image_credit=data["lead_image_credit"], edit_summary=data["edit_summary"],
            submit=request.POST.get("action") == "submit",
        )
    except InvalidInput as error:
        _attach_error(form, error)
        return _editor_page(request, "articles/edit.html", form, status=400, creating=True)
    return redirect(revision.get_absolute_url())


@login_required
def edit(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    languages.require(lang)
    _require_perm(request, "articles.add_revision", "Only authors can edit articles.")
    article = selectors.article_by_slug(slug=slug)
    head = article.head_revision
    if request.method != "POST":
        form = RevisionForm(initial={"title": head.title, "body": head.body, "base_revision": head.pk})
        return _editor_page(request, "articles/edit.html", form, article=article, base=head)
    form = RevisionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _editor_page(request, "articles/edit.html", form, status=400, article=article, base=head)
    if _insert_image(request, form) or request.POST.get("action") == "preview":
        return _editor_page(request, "articles/edit.html", form, article=article, base=head)
    data = form.cleaned_data
    try:
        revision = services.save_revision(
            article=article, author=request.user, title=data["title"], body=data["body"],
            base_revision=data["base_revision"], edit_summary=data["edit_summary"],
            submit=request.POST.get("action") == "submit",
        )
    except EditConflict as conflict:
        return _conflict(request, article, form, conflict)
    except InvalidInput as error:
        _attach_error(form, error)
        return _editor_page(request, "articles/edit.html", form, status=400, article=article, base=head)
    return redirect(revision.get_absolute_url())


def _conflict(request: HttpRequest, article, form, conflict: EditConflict) -> HttpResponse:
    d = conflict.details
    # The new form starts from the current revision, carrying the person's own text to merge by hand.
    data = form.data.copy()
    data["base_revision"] = d["current_revision"]
    merged_form = RevisionForm(data)
    merged_form.is_valid()
    theirs_vs_yours, _ = word_diff(d["current_body"], d["your_body"])
    return render(request, "articles/conflict.html", {
        "article": article, "form": merged_form, "message": conflict.message, "current_body": d["current_body"],
        "current_number": d["current_number"], "your_body": d["your_body"], "diff": theirs_vs_yours,
    }, status=409)


@require_POST
def submit(request: HttpRequest, lang: str, slug: str, number: int) -> HttpResponse:
    _require_perm(request, "articles.add_revision", "Only authors and editors can submit revisions.")
    article = selectors.article_by_slug(slug=slug)
    revision = selectors.revision_by_number(article=article, number=number)
    services.submit_revision(revision=revision, actor=request.user)
    return redirect(revision.get_absolute_url())


def review(request: HttpRequest, lang: str, slug: str, number: int) -> HttpResponse:
    if response := _sign_in_first(request):
        return response
    _require_perm(request, "articles.review_revision", "Only editors can review revisions.")
    article = selectors.article_by_slug(slug=slug)
    revision = selectors.revision_by_number(article=article, number=number)
    comment = request.POST.get("comment", "")
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.approve_revision(revision=revision, editor=request.user, comment=comment)
                return redirect(article.get_absolute_url())
            if action == "request_changes":
                services.request_changes(revision=revision, editor=request.user, comment=comment)
                return redirect("desk:reviews", lang=lang)
            raise InvalidInput("Choose “Approve and publish” or “Request changes”.")
        except InvalidInput as exc:
            error = exc.message
    published = article.published_revision
    body_diff, stats = word_diff(published.body if published else "", revision.body)
    return render(request, "articles/review.html", {
        "article": article, "revision": revision, "published": published, "body_diff": body_diff,
        "stats": stats, "comment": comment, "error": error,
        "own": revision.author_id == request.user.pk,
    }, status=400 if error else 200)


@require_POST
def rollback(request: HttpRequest, lang: str, slug: str, number: int) -> HttpResponse:
    _require_perm(request, "articles.review_revision", "Only editors can roll back an article.")
    article = selectors.article_by_slug(slug=slug)
    target = selectors.revision_by_number(article=article, number=number)
    services.rollback(article=article, to_revision=target, editor=request.user,
                      comment=request.POST.get("comment", ""))
    return redirect(article.get_absolute_url())


@require_POST
def summary(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    _require_perm(request, "articles.change_summary", "Only editors can replace a summary.")
    article = selectors.article_by_slug(slug=slug)
    services.set_summary(article=article, editor=request.user, text=request.POST.get("summary", ""))
    return redirect(article.get_absolute_url() + "#summary")


def metadata(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    if response := _sign_in_first(request):
        return response
    _require_perm(request, "articles.review_revision", "Only editors can change categories, tags and images.")
    article = selectors.article_by_slug(slug=slug)
    if request.method != "POST":
        form = MetadataForm(initial={
            "category": str(article.category_id or ""), "tags": ", ".join(t.name for t in article.tags.all()),
            "lead_image_caption": article.lead_image_caption, "lead_image_credit": article.lead_image_credit,
        })
        return render(request, "articles/metadata.html", {"article": article, "form": form})
    form = MetadataForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.update_metadata(
                article=article, editor=request.user, category=_category_from(form),
                tags=split_tags(form.cleaned_data["tags"]), lead_image=request.FILES.get("lead_image"),
                lead_image_caption=form.cleaned_data["lead_image_caption"],
                lead_image_credit=form.cleaned_data["lead_image_credit"],
            )
            return redirect(article.get_absolute_url())
        except InvalidInput as error:
            _attach_error(form, error)
    return render(request, "articles/metadata.html", {"article": article, "form": form}, status=400)


def review_queue(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    _require_perm(request, "articles.review_revision", "Only editors see the review queue.")
    rows = []
    for revision in selectors.review_queue():
        published = revision.article.published_revision
        body_diff, stats = word_diff(published.body if published else "", revision.body)
        rows.append({"revision": revision, "published": published, "diff": body_diff, "stats": stats})
    return render(request, "articles/review_queue.html", {"rows": rows})


@require_POST
def upload_image(request: HttpRequest, lang: str) -> JsonResponse:
    """Used by the editor's script: store an image and answer with the Markdown that shows it."""
    _require_perm(request, "articles.add_revision", "Only authors can upload images.")
    upload = request.FILES.get("image")
    if not upload:
        raise InvalidInput("Choose an image file to upload.")
    image = services.upload_body_image(user=request.user, upload=upload)
    alt = " ".join(request.POST.get("alt", "").split()).replace("]", "") or "Görsel"
    return JsonResponse({"url": image.image.url, "thumbnail": image.thumbnail.url,
                         "markdown": f"![{alt}]({image.image.url})"})


@require_POST
def preview(request: HttpRequest, lang: str) -> JsonResponse:
    _require_perm(request, "articles.add_revision", "Only authors can preview.")
    body = request.POST.get("body", "")
    if len(body) > 400_000:
        raise InvalidInput("The text is too long to preview.")
    return JsonResponse({"html": render_markdown(body, language=lang).html})


