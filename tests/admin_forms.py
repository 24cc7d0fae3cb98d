"""The POST data a browser sends for an admin form, read from the rendered page's context."""

from django.urls import reverse


def field_values(form, prefix=""):
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue  # an unchecked box or an empty field is not posted
        if value is True:
            value = "on"
        key = f"{prefix}{name}"
        data[key] = [str(item) for item in value] if isinstance(value, list | tuple) else value
    return data


def admin_form_data(response, **changes):
    """The add or change form as shown, with ``changes`` applied, ready to post back."""
    data = field_values(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        data.update(field_values(management, prefix=f"{formset.prefix}-"))
        for form in formset.forms:
            data.update(field_values(form, prefix=f"{form.prefix}-"))
    data.update(changes)
    return data


def post_action(client, app, model, action, objects):
    """Run a list action on ``objects``; the response is the list page with its messages."""
    return client.post(
        reverse(f"admin:{app}_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )
