"""Forms of the results framework page. They turn posted text into model values; what a
framework may hold (which parent a level hangs under, which columns a measure reads) is checked
by reports.models and reports.actions, whose field errors the views put back next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityType, ProjectType
from reports.models import (DIMENSIONS, DISAGGREGABLE, USES_ACTIVITY_TYPES, USES_ASSISTANCE_TYPES,
                            USES_PROJECT_TYPES, Indicator, Level, Measure, Result)
from web.forms import category_name, with_blank
from web.forms_assistance import types_for
from web.views_reports import DIMENSION_LABELS

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
CHECKBOXES = {"widget": forms.CheckboxSelectMultiple, "required": False}


class ResultChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_level_display()} {obj.code} — {obj.statement[:80]}"


class ResultForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    parent = ResultChoiceField(Result.objects.none(), label=_("Under"), required=False,
                               help_text=_("An outcome hangs under a goal, an output under an outcome; "
                                           "a goal under nothing."))
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("As the logframe numbers it: 1, 1.2, 1.2.3"))
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        # Only goals and outcomes have anything under them.
        self.fields["parent"].queryset = Result.objects.filter(
            programme=programme, level__in=[Level.GOAL, Level.OUTCOME]).order_by("code")

    def values(self):
        return {f: self.cleaned_data[f] for f in ("level", "parent", "code", "statement")}


class ResultEditForm(forms.Form):
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ["statement"]

    def values(self):
        return {f: self.cleaned_data[f] for f in self.FIELDS}


def result_initial(result):
    return {"statement": result.statement, "version": result.version}


class TypeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return category_name(obj)


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class IndicatorForm(forms.Form):
    """A new indicator. Which definition fields are shown depends on the measure (`shown()`):
    the page is drawn again for the measure chosen, by htmx or by the "Show the fields" button."""

    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=300)
    unit = forms.CharField(label=_("Unit"), max_length=40, help_text=_("households, persons, houses, EUR, %..."))
    measure = forms.ChoiceField(label=_("What it counts"), choices=with_blank(Measure.choices),
                                help_text=_("Counted from the records: delivered assistance, activities, projects. "
                                            "A ratio divides two of this programme's indicators; a manual "
                                            "indicator's values are entered with their evidence."))
    assistance_types = TypeChoiceField(None, label=_("Assistance types"), help_text=_("None ticked: all types."),
                                       **CHECKBOXES)
    activity_types = forms.MultipleChoiceField(label=_("Activity types"), choices=ActivityType.choices,
                                               help_text=_("None ticked: all types."), **CHECKBOXES)
    project_types = forms.MultipleChoiceField(label=_("Community project types"), choices=ProjectType.choices,
                                              help_text=_("None ticked: all types."), **CHECKBOXES)
    numerator = IndicatorChoiceField(None, label=_("Numerator"), required=False)
    denominator = IndicatorChoiceField(None, label=_("Denominator"), required=False)
    disaggregations = forms.MultipleChoiceField(label=_("Broken down by"), **CHECKBOXES)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=14, decimal_places=2, required=False)
    baseline_date = forms.DateField(label=_("Baseline date"), required=False, **DATE)

    COMMON = ("code", "name", "unit", "measure")

    def __init__(self, *args, programme, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistance_types"].queryset = types_for(user)
        terms = Indicator.objects.filter(programme=programme).exclude(measure__in=[Measure.RATIO, Measure.MANUAL])
        self.fields["numerator"].queryset = terms
        self.fields["denominator"].queryset = terms
        self.measure = self.data.get(self.add_prefix("measure")) if self.is_bound else self.initial.get("measure")
        allowed = DISAGGREGABLE.get(self.measure, set())
        self.fields["disaggregations"].choices = [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS if d in allowed]

    def _uses(self):
        m = self.measure
        return {"assistance_types": m in USES_ASSISTANCE_TYPES, "activity_types": m in USES_ACTIVITY_TYPES,
                "project_types": m in USES_PROJECT_TYPES, "numerator": m == Measure.RATIO,
                "denominator": m == Measure.RATIO, "disaggregations": bool(DISAGGREGABLE.get(m))}

    def shown(self):
        """The definition fields this measure reads, and any field with an error to show."""
        return [self[name] for name, used in self._uses().items() if used or self[name].errors]

    def values(self):
        """Indicator fields as posted: a column the measure does not read is refused by the
        action next to its field, not dropped unseen."""
        names = ("code", "name", "unit", "measure", "activity_types", "project_types", "numerator", "denominator",
                 "disaggregations", "baseline", "baseline_date")
        return {f: list(v) if isinstance(v := self.cleaned_data[f], list) else v for f in names}

    def chosen_assistance_types(self):
        return list(self.cleaned_data["assistance_types"])


class IndicatorEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    unit = forms.CharField(label=_("Unit"), max_length=40)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=14, decimal_places=2, required=False)
    baseline_date = forms.DateField(label=_("Baseline date"), required=False, **DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ["name", "unit", "baseline", "baseline_date"]

    def values(self):
        return {f: self.cleaned_data[f] for f in self.FIELDS}


def indicator_initial(indicator):
    return {**{f: getattr(indicator, f) for f in IndicatorEditForm.FIELDS}, "version": indicator.version}


class TargetForm(forms.Form):
    period_start = forms.DateField(label=_("From"), **DATE)
    period_end = forms.DateField(label=_("To"), **DATE)
    value = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)


class ManualValueForm(forms.Form):
    period_start = forms.DateField(label=_("From"), **DATE)
    period_end = forms.DateField(label=_("To"), **DATE)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("The document, minutes or report that proves the value."))
