"""Forms for assistance, activities and community projects. Like web.forms they only turn posted
text into values; what may be written is decided by assistance.actions, assistance.kinds and
activities.actions, whose field errors the views put back next to these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityType, ProjectStatus, ProjectType
from activities.models import Sector as ActivitySector
from assistance.models import (
    AssistanceType, BusinessStatus, DeliveryStatus, Milestone, ReferralStatus, Sector,
)
from places.models import Country
from programmes.models import Organisation, Programme
from web.forms import MunicipalityField, category_name, programmes_for, with_blank

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class TypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return category_name(obj)  # the catalogue carries its names in the three languages


def types_for(user):
    """Medical help is not even offered to users who may not see it."""
    qs = AssistanceType.objects.all()
    return qs if user.sensitive else qs.filter(sensitive=False)


class DeliveryForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.none(), label=_("Programme"))
    type = TypeField(AssistanceType.objects.none(), label=_("Type of assistance"))
    recipient = forms.ChoiceField(label=_("Given to"), required=False,
                                  help_text=_("The household, or one member for personal assistance."))
    status = forms.ChoiceField(label=_("Status"), choices=DeliveryStatus.choices, initial=DeliveryStatus.PLANNED)
    date = forms.DateField(label=_("Date"), **DATE)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, initial=1, min_value=0.01)
    value_eur = forms.DecimalField(label=_("Value (EUR)"), max_digits=12, decimal_places=2, required=False,
                                   min_value=0)
    partner = forms.ModelChoiceField(Organisation.objects.all(), label=_("Delivered by"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label=_("Reason to record it anyway"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only a manager may let a second delivery of a blocked kind through."))

    def __init__(self, *args, user, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_for(user)
        self.fields["type"].queryset = types_for(user)
        self.members = {str(m.pk): m for m in members}
        self.fields["recipient"].choices = [("", _("The household"))] + [
            (str(m.pk), m.full_name()) for m in members]

    def person(self):
        return self.members.get(self.cleaned_data.get("recipient") or "")


class DeliveryStatusForm(forms.Form):
    to_status = forms.ChoiceField(choices=DeliveryStatus.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeliveryFilterForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.none(), label=_("Programme (with its phases)"),
                                       required=False, to_field_name="code")
    type = forms.ModelChoiceField(AssistanceType.objects.none(), label=_("Type"), required=False,
                                  to_field_name="code")
    status = forms.ChoiceField(label=_("Status"), required=False, choices=with_blank(DeliveryStatus.choices))
    municipality = MunicipalityField(label=_("Municipality"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_for(user)
        self.fields["type"].queryset = types_for(user)


# The detail of each kind. Field names are the kind's wire names (Model.WIRE), so the errors of
# assistance.kinds.save_detail ("detail.site") land on the field of the same name.

class HouseForm(forms.Form):
    municipality = MunicipalityField(label=_("Municipality"))
    site = forms.CharField(label=_("Site"), max_length=200, help_text=_("settlement, street or plot"))
    contractor = forms.CharField(label=_("Contractor"), max_length=200, required=False)
    cost_eur = forms.DecimalField(label=_("Cost (EUR)"), max_digits=12, decimal_places=2, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].required = True

    def wire(self):
        data = dict(self.cleaned_data)
        data["municipality"] = data["municipality"].code
        return data


class GrantForm(forms.Form):
    business_plan = forms.CharField(label=_("Business plan"), widget=forms.Textarea(attrs={"rows": 3}))
    sector = forms.ChoiceField(label=_("Sector"), choices=with_blank(Sector.choices))

    def wire(self):
        return dict(self.cleaned_data)


class EquipmentForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    value_eur = forms.DecimalField(label=_("Value (EUR)"), max_digits=12, decimal_places=2)


EquipmentFormSet = forms.formset_factory(EquipmentForm, extra=2, can_delete=True)


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("Course"), max_length=200)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    start_date = forms.DateField(label=_("Start date"), required=False, **DATE)
    end_date = forms.DateField(label=_("End date"), required=False, **DATE)
    hours = forms.IntegerField(label=_("Hours"), min_value=0, required=False)
    completed = forms.BooleanField(label=_("Completed"), required=False)
    certificate = forms.BooleanField(label=_("Certificate given"), required=False)

    def wire(self):
        return dict(self.cleaned_data)


class JobPlacementForm(forms.Form):
    employer = forms.CharField(label=_("Employer"), max_length=200)
    start_date = forms.DateField(label=_("Start date"), **DATE)
    subsidy_months = forms.IntegerField(label=_("Months of salary subsidy"), min_value=0, initial=0)
    monthly_amount_eur = forms.DecimalField(label=_("Monthly subsidy (EUR)"), max_digits=10, decimal_places=2,
                                            required=False)

    def wire(self):
        return dict(self.cleaned_data)


class ReferralForm(forms.Form):
    to = forms.CharField(label=_("Referred to"), max_length=200)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    consent = forms.BooleanField(label=_("The person consents to the referral"), required=False)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def wire(self):
        return dict(self.cleaned_data)


class MedicalForm(forms.Form):
    destination_country = forms.ModelChoiceField(Country.objects.all(), label=_("Destination country"),
                                                 required=False)
    facility = forms.CharField(label=_("Facility"), max_length=200)

    def wire(self):
        data = dict(self.cleaned_data)
        country = data["destination_country"]
        data["destination_country"] = country.code if country else None
        return data


# The form of each kind of detail, by the detail model's name.
KIND_FORMS = {
    "housedetail": HouseForm,
    "incomegrantdetail": GrantForm,
    "trainingdetail": TrainingForm,
    "jobplacementdetail": JobPlacementForm,
    "referraldetail": ReferralForm,
    "medicaldetail": MedicalForm,
}


def kind_initial(detail):
    """The stored detail as the form's initial values."""
    form = KIND_FORMS[detail._meta.model_name]
    initial = {name: getattr(detail, name) for name in form.base_fields}
    for name in ("municipality", "destination_country"):
        if name in initial:
            initial[name] = getattr(detail, f"{name}_id")
    return initial


class MilestoneForm(forms.Form):
    milestone = forms.ChoiceField(label=_("Milestone"), choices=Milestone.choices)
    date = forms.DateField(label=_("Date"), **DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("Business status"), choices=with_blank(BusinessStatus.choices))
    date = forms.DateField(label=_("Date of the visit"), **DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class ReferralStatusForm(forms.Form):
    to_status = forms.ChoiceField(choices=ReferralStatus.choices)
    date = forms.DateField(label=_("Date"), **DATE)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG, PNG, XLSX or DOCX, at most 10 MB."))


# Activities and projects ------------------------------------------------------------------------

class CountryField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(Country.objects.all(), required=False, to_field_name="code", **kwargs)


class ActivityForm(forms.Form):
    FIELDS = ["type", "title", "date", "end_date", "programme", "organiser", "municipality", "venue", "country",
              "sector", "participants_female", "participants_male", "participants_sex_unknown",
              "participants_official", "participants_community", "participants_business", "participants_other",
              "notes"]
    BY_SEX = ["participants_female", "participants_male", "participants_sex_unknown"]
    BY_KIND = ["participants_official", "participants_community", "participants_business", "participants_other"]

    type = forms.ChoiceField(label=_("Type"), choices=with_blank(ActivityType.choices))
    title = forms.CharField(label=_("Title"), max_length=300)
    date = forms.DateField(label=_("Date"), **DATE)
    end_date = forms.DateField(label=_("End date"), required=False, **DATE)
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("Programme"))
    organiser = forms.ModelChoiceField(Organisation.objects.all(), label=_("Organiser"), required=False)
    municipality = MunicipalityField(label=_("Municipality"))
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    country = CountryField(label=_("Country"), help_text=_("Leave empty for Kosovo."))
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=with_blank(ActivitySector.choices))
    participants_female = forms.IntegerField(label=_("Women"), min_value=0, initial=0)
    participants_male = forms.IntegerField(label=_("Men"), min_value=0, initial=0)
    participants_sex_unknown = forms.IntegerField(label=_("Sex not recorded"), min_value=0, initial=0)
    participants_official = forms.IntegerField(label=_("Officials"), min_value=0, initial=0)
    participants_community = forms.IntegerField(label=_("Community members"), min_value=0, initial=0)
    participants_business = forms.IntegerField(label=_("Business people"), min_value=0, initial=0)
    participants_other = forms.IntegerField(label=_("Others"), min_value=0, initial=0)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self):
        return {f: self.cleaned_data[f] for f in self.FIELDS}


def activity_initial(activity):
    initial = {f: getattr(activity, f) for f in ActivityForm.FIELDS}
    initial["programme"] = activity.programme_id
    initial["organiser"] = activity.organiser_id
    initial["municipality"] = activity.municipality_id
    initial["country"] = activity.country.code if activity.country_id else None
    initial["version"] = activity.version
    return initial


class ActivityFilterForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("Programme (with its phases)"),
                                       required=False, to_field_name="code")
    type = forms.ChoiceField(label=_("Type"), required=False, choices=with_blank(ActivityType.choices))
    date_from = forms.DateField(label=_("From"), required=False, **DATE)
    date_to = forms.DateField(label=_("To"), required=False, **DATE)


class AttendanceFileForm(forms.Form):
    file = forms.FileField(label=_("Attendance list"),
                           help_text=_("CSV UTF-8 or XLSX with the columns person_ref, attended, certified."))


class ProjectForm(forms.Form):
    FIELDS = ["type", "title", "programme", "municipality", "settlement", "cost_eur", "catchment_population",
              "notes"]

    type = forms.ChoiceField(label=_("Type"), choices=with_blank(ProjectType.choices))
    title = forms.CharField(label=_("Title"), max_length=300)
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("Programme"))
    municipality = MunicipalityField(label=_("Municipality"))
    settlement = forms.CharField(label=_("Village or neighbourhood"), max_length=200, required=False)
    cost_eur = forms.DecimalField(label=_("Cost (EUR)"), max_digits=12, decimal_places=2, required=False)
    catchment_population = forms.IntegerField(label=_("Catchment population"), min_value=0, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self):
        return {f: self.cleaned_data[f] for f in self.FIELDS}


def project_initial(project):
    initial = {f: getattr(project, f) for f in ProjectForm.FIELDS}
    initial["programme"] = project.programme_id
    initial["municipality"] = project.municipality_id
    initial["version"] = project.version
    return initial


class ProjectFilterForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("Programme (with its phases)"),
                                       required=False, to_field_name="code")
    type = forms.ChoiceField(label=_("Type"), required=False, choices=with_blank(ProjectType.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=with_blank(ProjectStatus.choices))


class ProjectTransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=ProjectStatus.choices)
    on = forms.DateField(label=_("Completed on"), required=False, **DATE)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

