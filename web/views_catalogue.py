"""The assistance catalogue: everyone reads it; administrators extend it."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistance import actions
from assistance.models import AssistanceType, Category, GuardRule, Recipient
from web.views import _add_errors


class AssistanceTypeForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40,
                           help_text=gettext_lazy("Lower case, e.g. winter_kit; reports and the API use it."))
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=100)
    name_sq = forms.CharField(label=gettext_lazy("Name in Albanian"), max_length=100)
    name_sr_latn = forms.CharField(label=gettext_lazy("Name in Serbian (Latin)"), max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20)
    recipient = forms.ChoiceField(label=gettext_lazy("Goes to"), choices=Recipient.choices)
    sensitive = forms.BooleanField(label=gettext_lazy("Sensitive (seen only by users cleared for sensitive data)"),
                                   required=False)
    items = forms.CharField(label=gettext_lazy("Package items"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=gettext_lazy("For a package: one line per item, its code and quantity, "
                                                  "e.g. food_package 1"))

    def clean_items(self):
        items, errors = [], []
        known = {t.code: t for t in AssistanceType.objects.all()}
        for n, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            words = line.split()
            if not words:
                continue
            if len(words) != 2:
                errors.append(_("Line %(n)d: give a code and a quantity.") % {"n": n})
                continue
            code, quantity = words
            try:
                quantity = Decimal(quantity)
            except InvalidOperation:
                quantity = None
            if code not in known:
                errors.append(_("Line %(n)d: no assistance type %(code)s.") % {"n": n, "code": code})
            elif quantity is None or quantity <= 0:
                errors.append(_("Line %(n)d: the quantity must be a number above zero.") % {"n": n})
            else:
                items.append((known[code], quantity))
        if errors:
            raise ValidationError(errors)
        return items


def _rules():
    modes = dict(GuardRule.objects.values_list("category", "mode"))
    return [(value, label, modes.get(value, "")) for value, label in Category.choices]


@login_required
def catalogue(request):
    types = AssistanceType.objects.prefetch_related("items__item")
    return render(request, "web/catalogue/list.html", {"types": types, "rules": _rules(),
                                                       "modes": GuardRule.Mode.choices})


@login_required
def guard_rules(request):
    """The double-assistance rules, one per category, set by an administrator."""
    if request.user.role != "admin":
        raise Http404
    if request.method == "POST":
        wanted = {value: request.POST.get(f"rule-{value}", "") for value, _label in Category.choices}
        try:
            actions.set_guard_rules(wanted, acting_user=request.user)
            messages.success(request, _("The double-assistance rules were saved."))
        except ValidationError as e:
            for texts in e.message_dict.values():
                for text in texts:
                    messages.error(request, text)
    return redirect("web:catalogue")


@login_required
def catalogue_new(request):
    if request.user.role != "admin":
        raise Http404
    form = AssistanceTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        items = data.pop("items")
        try:
            actions.add_assistance_type(AssistanceType(**data), items=items, acting_user=request.user)
            messages.success(request, _("The assistance type was added to the catalogue."))
            return redirect("web:catalogue")
        except ValidationError as e:
            _add_errors(form, e)
    return render(request, "web/catalogue/form.html", {"form": form})
