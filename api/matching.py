"""POST /persons/match: likely and possible duplicates of a person, before registering them.

The reply lists only persons the caller may see (Person.objects.visible_to). About persons outside
their scope the caller learns at most one flag, `outside_scope_likely`, with a notice saying whom
to ask; never an id, ref, name, score or count (the rules are in matching.candidates).
"""

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import BeforeValidator, ConfigDict, Field

from api.common import caller, require
from api.problems import Invalid
from matching.candidates import check, parse_query

router = Router(tags=["matching"])


def _as_text(value):
    # Birth years and phone numbers arrive as JSON numbers from spreadsheets and clients.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


Text = Annotated[str | None, BeforeValidator(_as_text)]


class MatchIn(Schema):
    """A person's fields as in a registry file (contract section 3). Only the names, sex, date of
    birth and municipality of origin count in the score; phone and id_number only find candidates;
    the other columns are accepted so a registry row can be sent as it is."""

    model_config = ConfigDict(extra="forbid")

    given_name: Text = None
    family_name: Text = None
    father_name: Text = None
    sex: Text = Field(None, description="F or M")
    date_of_birth: Text = Field(None, description="YYYY-MM-DD, or YYYY when only the year is known")
    origin_municipality: Text = Field(None, description="code (M18) or any name in any script")
    phone: Text = None
    id_number: Text = None
    ref: Text = None
    household_ref: Text = None
    relationship: Text = None
    community: Text = None
    displacement_status: Text = None
    current_country: Text = None
    current_municipality: Text = None


class CandidateOut(Schema):
    id: int
    ref: str
    score: float = Field(description="0..1; 0.9 and over is likely, 0.5 and over possible")
    band: str = Field(description="likely or possible")


class MatchOut(Schema):
    candidates: list[CandidateOut]
    outside_scope_likely: bool = Field(
        description="a person outside your scope is likely the same; ask your programme manager or the "
                    "data protection officer (no id or count is ever given)")
    notice: str | None = None


@router.post("/persons/match", response=MatchOut)
def match_person(request, payload: MatchIn):
    """Likely and possible duplicates of the person described, best first, inside your scope."""
    user = caller(request)
    require(user.sees_personal_data, _("Your role does not see personal data."))
    errors = []
    query = parse_query(payload.model_dump(), errors)
    if errors:
        raise Invalid(errors)
    result = check(user, query, via="api")
    return {
        "candidates": [
            {"id": c.person.pk, "ref": c.person.ref, "score": c.score, "band": c.band} for c in result.candidates
        ],
        "outside_scope_likely": result.outside_scope,
        "notice": result.notice,
    }
