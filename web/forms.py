"""The web UI's forms. They only turn posted text into model values; every rule about what may be
written lives in registry.actions and programmes.actions, whose field errors the views map back
onto these forms."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scope import programmes_to_change
from audit.models import AuditEntry
from homeward.text import to_cyrillic
from places.models import DISPLACEMENT_STATUSES, Community, Country, Municipality
from programmes.models import EnrolmentStatus, Organisation, Programme
from registry.models import Consent, Household, IdentityDocument, Person, VulnerabilityCategory
from registry.parsing import parse_date_of_birth


def category_name(category):
    language = get_language() or "en"
    if language == "sq":
        return category.name_sq
    if language == "sr-latn":
        return category.name_sr_latn
    if language == "sr":
        return to_cyrillic(category.name_sr_latn)
    return category.name_en


class MunicipalityField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(Municipality.objects.all(), required=False, **kwargs)

    def label_from_instance(self, obj):
        return obj.display_name()  # "Klinë/Klina", in the active language's script


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name()


class CategoriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return category_name(obj)


def categories_for(user):
    """Sensitive categories are not even offered to users who may not see them."""
    qs = VulnerabilityCategory.objects.all()
    return qs if user.sensitive else qs.filter(sensitive=False)


def programmes_for(user):
    qs = Programme.objects.all()
    return qs if user.sensitive else qs.filter(sensitive=False)


def with_blank(choices):
    return [("", "—")] + list(choices)


class HouseholdForm(forms.Form):
    FIELDS = ["origin_municipality", "origin_place", "current_country", "current_municipality", "current_place",
              "accommodation", "phone", "notes"]

    origin_municipality = MunicipalityField(label=_("Municipality of origin"))
    origin_place = forms.CharField(label=_("Village or place of origin"), max_length=200, required=False)
    current_country = forms.ModelChoiceField(Country.objects.all(), label=_("Current country"), to_field_name="code")
    current_municipality = MunicipalityField(label=_("Current municipality"))
    current_place = forms.CharField(label=_("Current settlement or address"), max_length=200, required=False)
    accommodation = forms.ChoiceField(label=_("Accommodation"), required=False,
                                      choices=with_blank(Household.Accommodation.choices))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("current_country", "XK")
        super().__init__(*args, **kwargs)
        self.user = user

    def values(self):
        return {f: self.cleaned_data[f] for f in self.FIELDS}


class RegisterHouseholdForm(HouseholdForm):
    ref = forms.CharField(label=_("Reference"), max_length=60, required=False,
                          help_text=_("Leave empty to get the next free reference."))
    programme = forms.ModelChoiceField(Programme.objects.none(), label=_("Enrol in programme"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["programme"].queryset = programmes_for(user)


class EditHouseholdForm(HouseholdForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class BirthField(forms.CharField):
    """YYYY-MM-DD, or YYYY when only the year is known; cleans to (date, year)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=10, required=False, **kwargs)
        self.widget.attrs.update({"placeholder": "YYYY-MM-DD / YYYY", "inputmode": "numeric"})

    def clean(self, value):
        value = super().clean(value)
        try:
            day, year = parse_date_of_birth(value)
        except ValueError as e:
            raise ValidationError(str(e))
        if year and not 1890 <= year <= datetime.date.today().year:
            raise ValidationError(_("The birth year is not plausible."))
        if day and day > datetime.date.today():
            raise ValidationError(_("The date of birth is in the future."))
        return day, year


class PersonForm(forms.Form):
    FIELDS = ["given_name", "family_name", "father_name", "sex", "relationship", "date_of_birth", "community",
              "displacement_status", "phone"]

    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    father_name = forms.CharField(label=_("Father's name"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=with_blank(Person.Sex.choices))
    relationship = forms.ChoiceField(label=_("Relationship to the head"),
                                     choices=with_blank(Person.Relationship.choices))
    date_of_birth = BirthField(label=_("Date or year of birth"))
    community = CommunityField(Community.objects.all(), label=_("Community"), required=False)
    displacement_status = forms.ChoiceField(label=_("Displacement status"), choices=with_blank(DISPLACEMENT_STATUSES))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    vulnerabilities = CategoriesField(VulnerabilityCategory.objects.none(), label=_("Vulnerabilities"),
                                      required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["vulnerabilities"].queryset = categories_for(user)

    def values(self):
        values = {f: self.cleaned_data[f] for f in self.FIELDS if f != "date_of_birth"}
        values["date_of_birth"], values["birth_year"] = self.cleaned_data["date_of_birth"]
        return values


class EditPersonForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


MemberFormSet = forms.formset_factory(PersonForm, extra=0, min_num=1, validate_min=True, can_delete=True)


def person_initial(person):
    initial = {f: getattr(person, f) for f in PersonForm.FIELDS if f not in ("date_of_birth", "community")}
    initial["date_of_birth"] = person.birth_display()
    initial["community"] = person.community_id
    return initial


def household_initial(household):
    initial = {f: getattr(household, f) for f in HouseholdForm.FIELDS}
    initial["current_country"] = household.current_country.code
    initial["origin_municipality"] = household.origin_municipality_id
    initial["current_municipality"] = household.current_municipality_id
    return initial


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=EnrolmentStatus.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class EnrolForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.none(), label=_("Programme"))

    def __init__(self, *args, user=None, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = programmes_for(user)
        if household is not None:
            qs = qs.exclude(enrolments__household=household)
        self.fields["programme"].queryset = qs


class ProgrammeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.ModelChoiceField(Programme.objects.all(), label=_("Phase of"), required=False)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    budget_eur = forms.DecimalField(label=_("Budget (EUR)"), required=False, max_digits=14, decimal_places=2)
    sdg_goals = forms.CharField(label=_("SDG goals"), required=False, help_text=_("Numbers from 1 to 17, e.g. 1, 8, 10"))
    sensitive = forms.BooleanField(label=_("Sensitive (enrolments shown only to users cleared for sensitive data)"),
                                   required=False)
    donors = forms.ModelMultipleChoiceField(Organisation.objects.all(), label=_("Donors"), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ["code", "name", "description", "parent", "start_date", "end_date", "budget_eur", "sdg_goals", "sensitive"]

    def clean_sdg_goals(self):
        text = self.cleaned_data["sdg_goals"]
        words = [w for w in re.split(r"[\s,;]+", text) if w]
        if any(not w.isdigit() for w in words):
            raise ValidationError(_("SDG goals are numbers from 1 to 17."))
        return [int(w) for w in words]

    def values(self):
        return {f: self.cleaned_data[f] for f in self.FIELDS}


def programme_form_for(user, programme=None):
    """ProgrammeForm whose "Phase of" offers the programmes `user` may change (the rule of
    accounts.scope.may_change_programme), and the current one when editing `programme`."""
    allowed = {p.pk for p in programmes_to_change(user, Programme.objects.select_related("parent__parent__parent"))}
    if programme is not None:
        allowed = (allowed - Programme.objects.phase_ids([programme])) | ({programme.parent_id} - {None})

    class Form(ProgrammeForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["parent"].queryset = Programme.objects.filter(pk__in=allowed)

    return Form


def programme_initial(programme):
    initial = {f: getattr(programme, f) for f in ProgrammeForm.FIELDS}
    initial["parent"] = programme.parent_id
    initial["sdg_goals"] = ", ".join(str(g) for g in programme.sdg_goals or [])
    initial["donors"] = list(programme.donors.values_list("pk", flat=True))
    initial["version"] = programme.version
    return initial


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=with_blank(AuditEntry.Action.choices))
    model = forms.ChoiceField(label=_("Record type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    household = forms.IntegerField(label=_("Household id"), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        models = AuditEntry.objects.order_by("model").values_list("model", flat=True).distinct()
        self.fields["model"].choices = with_blank((m, m) for m in models)


class ProfileForm(forms.Form):
    language = forms.ChoiceField(label=_("Interface language"), choices=User._meta.get_field("language").choices)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=IdentityDocument.Kind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    issuing_country = forms.ModelChoiceField(Country.objects.order_by("name_en"), label=_("Issued by"),
                                             required=False)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Consent to"), choices=Consent.Purpose.choices)
    given_on = forms.DateField(label=_("Given on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_given_on(self):
        given = self.cleaned_data["given_on"]
        if given > datetime.date.today():
            raise ValidationError(_("The date is in the future."))
        return given


class WithdrawConsentForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=forms.DateInput(attrs={"type": "date"}))


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    country = forms.ModelChoiceField(Country.objects.order_by("name_en"), label=_("Country"), required=False,
                                     to_field_name="code")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ["name", "short_name", "kind", "country"]

    def values(self):
        return {f: self.cleaned_data[f] for f in self.FIELDS}


def organisation_initial(organisation):
    initial = {f: getattr(organisation, f) for f in OrganisationForm.FIELDS}
    initial["country"] = organisation.country.code if organisation.country_id else None
    initial["version"] = organisation.version
    return initial
