"""The public's suggestions of missing cases and corrections: the form and its protections.

A suggestion is plain text that waits in the admin's moderation queue (``Suggestion``); nothing
of it is shown publicly. The form is meant to be easy for people and useless to abuse:

- CSRF protection (Django's middleware; the form carries the token);
- a honeypot field that people never see: a submission that fills it is thanked and dropped;
- at most ``RATE_LIMIT`` suggestions per address per hour, counted in the database (so the limit
  holds with the cache down); the address itself is never stored, only a keyed hash;
- size limits on every field and on the whole request (``MAX_BODY``);
- no HTML: text that looks like markup is refused with a message, not cleaned and kept.
"""

import datetime
import logging
import re

from django import forms
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseBatch, Suggestion
from regions.models import Region

logger = logging.getLogger(__name__)

RATE_LIMIT = 5
RATE_WINDOW = datetime.timedelta(hours=1)
# Far above anything the form's fields can hold; a bigger body is refused before it is read.
MAX_BODY = 16 * 1024
# A tag, a comment or a character reference: markup, which a suggestion never needs.
MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&#?\w+;")
# The honeypot's name: a field a form-filling robot is tempted by, hidden from people.
HONEYPOT = "website"


def sender_of(request):
    """A keyed hash of the request's address: counts floods, reveals nothing if leaked."""
    address = request.META.get("REMOTE_ADDR", "")
    return salted_hmac("servtrade.suggestion-sender", address, algorithm="sha256").hexdigest()


def too_many_from(sender):
    since = timezone.now() - RATE_WINDOW
    return Suggestion.objects.filter(sender=sender, created_at__gte=since).count() >= RATE_LIMIT


class PlainTextMixin:
    """Refuses text that contains markup, with a message that says what to do instead."""

    def clean_plain(self, name):
        value = self.cleaned_data.get(name, "")
        if MARKUP.search(value):
            raise forms.ValidationError(
                _("Please write plain text, without HTML tags or entities."), code="markup"
            )
        return value


class SuggestionForm(PlainTextMixin, forms.ModelForm):
    """What a visitor fills in; ``case``, ``batch`` and ``region`` come by key from the page."""

    case = forms.ModelChoiceField(
        Case.objects.published(), to_field_name="slug", required=False, widget=forms.HiddenInput
    )
    batch = forms.ChoiceField(label=_("Batch"), required=False)
    region = forms.ModelChoiceField(
        Region.objects.order_by("code", "slug"),
        label=_("Region"),
        to_field_name="slug",
        required=False,
        empty_label=_("Not known"),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Suggestion
        fields = ["kind", "what", "case", "batch", "region", "source_url", "contact"]
        labels = {
            "kind": _("I suggest"),
            "what": _("What is missing or wrong"),
            "source_url": _("Source (a link to where this is published)"),
            "contact": _("Your e-mail or name (optional)"),
        }
        help_texts = {
            "what": _("Plain text, up to 2,000 characters: the case's title, or what to correct."),
            "contact": _("Only editors see it, and only to ask you about this suggestion."),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "what": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
            "source_url": forms.URLInput(attrs={"placeholder": "https://"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        batches = CaseBatch.objects.select_related("program")
        self.fields["batch"].choices = [("", _("Not known"))] + [
            (batch.key, batch.short_title) for batch in batches
        ]
        self.batches = {batch.key: batch for batch in batches}

    def clean_what(self):
        return self.clean_plain("what")

    def clean_contact(self):
        return self.clean_plain("contact")

    def clean_batch(self):
        key = self.cleaned_data.get("batch")
        return self.batches.get(key) if key else None

    def is_robot(self):
        return bool(self.data.get(HONEYPOT))


def save_suggestion(form, request):
    """Store a valid suggestion from ``request`` and tell the editors if mail is configured."""
    suggestion = form.save(commit=False)
    suggestion.sender = sender_of(request)
    suggestion.language = request.LANGUAGE_CODE
    suggestion.save()
    notify_editors(suggestion, request)
    return suggestion


def notify_editors(suggestion, request):
    """One e-mail to the configured recipients; a mail server that fails loses nothing."""
    if not (settings.MAIL_CONFIGURED and settings.SUGGESTION_RECIPIENTS):
        return
    link = request.build_absolute_uri(
        reverse("admin:cases_suggestion_change", args=[suggestion.pk])
    )
    try:
        send_mail(
            subject=f"[servtrade] {suggestion.get_kind_display()}",
            message=f"{suggestion.what}\n\n{suggestion.source_url}\n\n{link}",
            from_email=None,
            recipient_list=settings.SUGGESTION_RECIPIENTS,
        )
    except OSError:
        logger.exception("The editors could not be told of suggestion %s", suggestion.pk)


def draft_case_from(suggestion):
    """A draft case pre-filled from a suggestion of a missing case; the suggestion points to it.

    The suggestion's text becomes the title in the language it was written in (a topic, until
    an editor finds the official title), cut to the title's length.
    """
    title_field = "title_en" if suggestion.language == "en" else "title_zh"
    title = " ".join(suggestion.what.split())[: Case._meta.get_field(title_field).max_length]
    case = Case.objects.create(
        batch=suggestion.batch,
        slug=f"suggested-{suggestion.pk}",
        source_url=suggestion.source_url,
        title_is_topic=True,
        needs_verification=True,
        verification_note=f"From public suggestion {suggestion.pk}; not checked yet.",
        **{title_field: title},
    )
    if suggestion.region:
        case.lead_regions.add(suggestion.region)
    suggestion.draft_case = case
    suggestion.status = Suggestion.Status.DRAFTED
    suggestion.save(update_fields=["draft_case", "status"])
    return case
