"""Plain-text emails about notifications, written in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMessage

from ..core import languages
from .models import Notification, NotificationSettings

SUBJECT_LENGTH = 120


def language_of(person_settings: NotificationSettings | None) -> str:
    code = person_settings.language if person_settings else ""
    return code if languages.is_valid(code) else languages.default()


def absolute(url: str) -> str:
    return settings.KURE_SITE_URL + url if url.startswith("/") else url


def _footer(language: str) -> str:
    url = absolute(f"/{language}/me/notifications/settings/")
    return languages.ui_strings(language)["email_footer"].format(site=settings.KURE_SITE_NAME, url=url)


def _subject(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > SUBJECT_LENGTH:
        text = text[:SUBJECT_LENGTH - 1].rstrip() + "…"
    return f"[{settings.KURE_SITE_NAME}] {text}"


def single(notification: Notification, language: str) -> EmailMessage:
    text = notification.text(language)
    body = f"{text}\n\n{absolute(notification.url)}\n\n-- \n{_footer(language)}\n"
    return EmailMessage(_subject(text), body, to=[notification.recipient.email])


def digest(notifications: list[Notification], language: str) -> EmailMessage:
    ui = languages.ui_strings(language)
    lines = [ui["email_digest_intro"], ""]
    for notification in notifications:
        lines += [f"* {notification.text(language)}", f"  {absolute(notification.url)}", ""]
    body = "\n".join(lines) + f"\n-- \n{_footer(language)}\n"
    subject = ui["email_digest_subject"].format(site=settings.KURE_SITE_NAME, count=len(notifications))
    return EmailMessage(subject, body, to=[notifications[0].recipient.email])
