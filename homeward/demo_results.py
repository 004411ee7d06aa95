"""The results frameworks of the demo's seed programmes: goal → outcomes → outputs, with indicators
whose targets are the figures the seed documents report ("30 houses for 30 families", "55 direct
and 95 indirect beneficiaries", "377 houses since 2017").

Each counted indicator is computed by reports.indicators from the case records that homeward.demo
draws for it; only what records cannot count (municipal action plans, doctors' visits, a report
written) is a manual indicator, with its value and the evidence for it. Written through
reports.actions as the demo admin; a programme that has a framework already is left alone, so a
second run adds nothing.
"""

import datetime
from dataclasses import dataclass

D = datetime.date
SEED_NEWS = "IOM Kosovo, News in Brief (2007)"


@dataclass
class Ind:
    code: str
    name: str
    unit: str
    measure: str
    types: tuple = ()  # assistance type codes
    activity_types: tuple = ()
    project_types: tuple = ()
    by: tuple = ()  # disaggregations
    target: float = None  # for the framework's period
    manual: float = None  # the value entered by hand for the framework's period
    evidence: str = ""
    ratio: tuple = ()  # (numerator code, denominator code)
    period: tuple = ()  # (start, end) when not the framework's


def out(code, statement, *indicators):
    return ("output", code, statement, indicators)


def outcome(code, statement, *children, indicators=()):
    return ("outcome", code, statement, indicators, children)


HOUSES = ("house_construction", "house_reconstruction")
RRK_SINCE = (D(2017, 11, 11), D(2024, 3, 31))  # to the launch of RRK VI
RRK6_PERIOD = (D(2024, 4, 1), D(2026, 3, 31))

# programme code → (period of its targets, goal statement, outcomes)
FRAMEWORKS = {
    "EAR-RAE-KLINA": ((D(2007, 1, 1), D(2007, 12, 31)),
                      "Roma, Ashkali and Egyptian families return sustainably to Klinë/Klina.", [
        outcome("1.1", "Returning RAE families live in homes of their own.", out(
            "1.1.1", "Houses reconstructed and handed over to the families, who have moved in.",
            Ind("EAR-1", "Houses handed over", "houses", "houses_handed_over", target=30),
            Ind("EAR-2", "Families in reconstructed houses", "households", "households_assisted",
                types=("house_reconstruction",), by=("municipality",), target=30))),
        outcome("1.2", "Returnees earn an income.", out(
            "1.2.1", "Income generation projects: wood and metal processing, locksmiths, crafts, construction "
                     "services (10 production-based, 20 service-based).",
            Ind("EAR-3", "Income-generation projects implemented", "grants", "deliveries",
                types=("income_generation_grant",), target=30),
            Ind("EAR-4", "Businesses visited at follow-up", "businesses", "businesses_followed_up"),
            Ind("EAR-5", "Businesses operating at their latest visit", "businesses", "businesses_operating"),
            Ind("EAR-6", "Share of visited businesses operating", "%", "ratio", ratio=("EAR-5", "EAR-4")))),
    ]),
    "UK-VARRP": ((D(2007, 1, 1), D(2007, 12, 31)), "Returnees from the United Kingdom reintegrate sustainably.", [
        outcome("1.1", "Returnees find work or start a business.", out(
            "1.1.1", "Reintegration projects: on-the-job training with salary subsidies, construction, jobs in "
                     "services and agriculture.",
            Ind("UK-1", "Reintegration projects supported", "projects", "deliveries",
                types=("job_placement", "income_generation_grant"), target=26),
            Ind("UK-2", "Direct beneficiaries", "persons", "persons_assisted", by=("municipality", "sex"),
                target=55),
            Ind("UK-3", "Families reached", "households", "households_assisted", by=("municipality",), target=26),
            Ind("UK-4", "Persons in on-the-job training with a salary subsidy", "persons", "persons_assisted",
                types=("job_placement",)),
            Ind("UK-5", "Persons in vocational training", "persons", "persons_assisted",
                types=("vocational_training",)))),
    ]),
    "KPC-PILOT": ((D(2007, 1, 1), D(2007, 9, 30)), "Separated KPC members reintegrate into civilian life.", [
        outcome("1.1", "Separated members find employment or self-employment.", out(
            "1.1.1", "A dignified exit: business skills, further training, salary subsidies, business grants.",
            Ind("KPC-1", "KPC members assisted", "persons", "persons_assisted", target=87),
            Ind("KPC-2", "Members trained in basic business skills", "persons", "persons_assisted",
                types=("business_training",)),
            Ind("KPC-3", "Members in on-the-job training with a salary subsidy", "persons", "persons_assisted",
                types=("job_placement",)))),
    ]),
    "KPC-TF": ((D(2007, 1, 1), D(2007, 12, 31)), "KPC members engaged in civic and humanitarian work.", [
        outcome("1.1", "Villages have the infrastructure they need.", out(
            "1.1.1", "Infrastructure projects built by KPC members in Kosovo villages.",
            Ind("TF-1", "Infrastructure projects completed", "projects", "projects_completed", target=10),
            Ind("TF-2", "Medical clinics built", "projects", "projects_completed", project_types=("clinic",),
                target=3),
            Ind("TF-3", "Sewage systems built", "projects", "projects_completed", project_types=("sewage",),
                target=1),
            Ind("TF-4", "Bridges built", "projects", "projects_completed", project_types=("bridge",), target=2),
            Ind("TF-5", "Schools built", "projects", "projects_completed", project_types=("school",), target=4),
            Ind("TF-6", "Population served", "persons", "catchment_population"))),
    ]),
    "CT-IGS": ((D(2007, 1, 1), D(2007, 12, 31)),
               "Trafficked persons from Kosovo improve their socio-economic conditions.", [
        outcome("1.1", "Survivors have an income of their own.", out(
            "1.1.1", "Income generating support: poultry farms, milk production, a coffee shop, a bakery.",
            Ind("CT-1", "Trafficked persons with income generating support", "cases", "households_assisted",
                types=("income_generation_grant", "cash_grant"), target=11),
            Ind("CT-2", "… through income-generating projects", "cases", "households_assisted",
                types=("income_generation_grant",), target=3),
            Ind("CT-3", "… through direct assistance", "cases", "households_assisted", types=("cash_grant",),
                target=8),
            Ind("CT-4", "Survivors in vocational training (hairdressing)", "persons", "persons_assisted",
                types=("vocational_training",), target=1)),
            out("1.1.2", "Psychosocial support and referrals to services.",
                Ind("CT-5", "Survivors with psychosocial support", "persons", "persons_assisted",
                    types=("psychosocial_support",)),
                Ind("CT-6", "Referrals completed", "referrals", "referrals_completed"))),
    ]),
    "SMP": ((D(2000, 1, 1), D(2007, 12, 31)), "Kosovo patients get the medical care they need.", [
        outcome("1.1", "Patients are treated in Sweden, Bosnia and Herzegovina or at home.", out(
            "1.1.1", "Medical evacuations (to Sweden and to Bosnia and Herzegovina).",
            Ind("SMP-1", "Persons evacuated", "persons", "persons_assisted", types=("medical_evacuation",),
                by=("sex", "age_group"), target=86)),
            out("1.1.2", "Swedish doctors and nurses assist in surgeries in Kosovo.",
                Ind("SMP-2", "Visits by Swedish doctors and nurses", "visits", "manual", manual=165,
                    evidence=f"{SEED_NEWS}: 165 visits by 43 Swedish doctors and nurses."),
                Ind("SMP-3", "Swedish doctors and nurses who visited", "persons", "manual", manual=43,
                    evidence=f"{SEED_NEWS}: 165 visits by 43 Swedish doctors and nurses."),
                Ind("SMP-4", "Patients whose surgery they assisted", "patients", "manual", manual=215,
                    evidence=f"{SEED_NEWS}: surgeries of 215 patients in Kosovo."))),
        outcome("1.2", "Kosovo health professionals are better trained.", out(
            "1.2.1", "Medical trainings in Sweden.",
            Ind("SMP-5", "Medical trainings in Sweden", "trainings", "activities", activity_types=("training",)),
            Ind("SMP-6", "Kosovo health professionals trained in Sweden", "persons", "activity_participants",
                activity_types=("training",), target=40))),
    ]),
    "SR-ODRZIVI": ((D(2024, 1, 1), D(2025, 12, 31)),
                   "Interno raseljena lica koja žele da se vrate na Kosovo vraćaju se održivo.", [
        outcome("1", "IDPs in Serbia have reliable information on return and the support available.", out(
            "1.1", "Information campaign: meetings, presentations, go-and-see visits, round tables.",
            Ind("SR-1", "Information meetings", "meetings", "activities", activity_types=("information_meeting",),
                target=8),
            Ind("SR-2", "Public presentations", "presentations", "activities",
                activity_types=("public_presentation",), target=5),
            Ind("SR-3", "Go-and-see visits", "visits", "activities", activity_types=("go_and_see_visit",),
                target=12),
            Ind("SR-4", "Round tables and workshops", "round tables", "activities", activity_types=("round_table",),
                target=3),
            Ind("SR-5", "Participants in the campaign", "persons", "activity_participants"))),
        outcome("2", "IDPs who decide to return are supported in returning.", out(
            "2.1", "Transport and return packages.",
            Ind("SR-6", "Families with transport and a return package", "households", "households_assisted",
                types=("transport", "return_package"), target=30),
            Ind("SR-7", "People in those families", "persons", "persons_assisted",
                types=("transport", "return_package"), by=("sex", "age_group"), target=108))),
        outcome("3", "Returning IDPs earn an income.", out(
            "3.1", "Equipment and tools grants, vocational courses, business training and mentoring.",
            Ind("SR-8", "Families with an equipment grant", "households", "households_assisted",
                types=("income_generation_grant",), target=104),
            Ind("SR-9", "People in those families", "persons", "persons_assisted",
                types=("income_generation_grant",), target=216),
            Ind("SR-10", "IDPs in vocational courses", "persons", "persons_assisted",
                types=("vocational_training",), by=("sex",), target=30),
            Ind("SR-11", "IDPs in business training and mentoring", "persons", "persons_assisted",
                types=("business_training", "mentoring"), by=("sex",), target=74))),
    ]),
    "RRK": (RRK_SINCE, "Sustainable return and reintegration of displaced persons; a tolerant multi-ethnic "
                       "society in Kosovo.", [
        outcome("1.1", "Displaced families return to homes of their own.", out(
            "1.1.1", "Houses built and handed over; harmonized assistance packages delivered.",
            Ind("RRK-1", "Houses handed over (all phases)", "houses", "houses_handed_over", target=377),
            Ind("RRK-2", "Families in new homes", "households", "households_assisted", types=HOUSES,
                by=("municipality",)),
            Ind("RRK-3", "Families with a harmonized package", "households", "households_assisted",
                types=("harmonized_package",)))),
        outcome("1.2", "Receiving and returning communities live better together.", out(
            "1.2.1", "Community and infrastructure projects: events, roads, riverbeds, lighting, youth centres.",
            Ind("RRK-4", "Community and infrastructure projects completed", "projects", "projects_completed",
                target=20),
            Ind("RRK-5", "Population served by them", "persons", "catchment_population"))),
    ]),
    "RRK-VI": (RRK6_PERIOD, "Displaced persons return or integrate sustainably (sixth phase).", [
        outcome("1.1", "Displaced families live in homes of their own.", out(
            "1.1.1", "32 houses built for displaced families; harmonized packages.",
            Ind("R6-1", "Houses handed over", "houses", "houses_handed_over", target=32),
            Ind("R6-2", "Families whose house was built", "households", "households_assisted",
                types=("house_construction",), by=("municipality",), target=32),
            Ind("R6-3", "People in those families", "persons", "persons_assisted", types=("house_construction",),
                by=("municipality", "age_group")),
            Ind("R6-4", "Families with a harmonized package", "households", "households_assisted",
                types=("harmonized_package",)))),
    ]),
    "MIGDIA": ((D(2023, 1, 1), D(2025, 6, 30)),
               "Kosovar municipalities make better use of the potential of repatriated persons, refugees and "
               "diaspora.", [
        outcome("1", "Municipal and non-governmental actors better address migration and integration.", out(
            "1.1", "Action plans, trainings, the national forum, the Youth Center.",
            Ind("MD-1", "Municipal action plans for sustainable reintegration supported", "plans", "manual",
                manual=38, evidence="Migration and Diaspora factsheet: 38 municipal action plans."),
            Ind("MD-2", "Trainings for first line governmental responders", "trainings", "manual", manual=13,
                evidence="Migration and Diaspora factsheet: 13 trainings for 300 first line responders."),
            Ind("MD-3", "First line governmental responders trained", "persons", "manual", manual=300,
                evidence="Migration and Diaspora factsheet: 13 trainings for 300 first line responders."),
            Ind("MD-4", "National forums on reintegration and integration", "forums", "activities",
                activity_types=("forum",), target=1),
            Ind("MD-5", "Young people trained in graphic design", "persons", "persons_assisted",
                activity_types=("training",), by=("sex", "age_group"), target=51))),
        outcome("2", "Local capacities support the (re)integration of migrants and refugees.", out(
            "2.1", "Language courses, psychosocial capacities, economic integration, study visits.",
            Ind("MD-6", "Refugees in integration and Albanian language courses", "persons", "persons_assisted",
                types=("language_course",), by=("sex", "age_group"), target=73),
            Ind("MD-7", "First line responders trained on the Guideline", "persons", "manual", manual=116,
                evidence="Migration and Diaspora factsheet: 116 first line responders."),
            Ind("MD-8", "Responders certified in psychosocial support", "persons", "manual", manual=72,
                evidence="Institute of Psychology, University of Prishtina: 72 certified."),
            Ind("MD-9", "School psychologists certified", "persons", "manual", manual=36,
                evidence="Migration and Diaspora factsheet: 36 school psychologists certified."),
            Ind("MD-10", "Repatriated persons supported with economic integration", "persons", "persons_assisted",
                types=("vocational_training", "job_placement"), by=("sex", "municipality"), target=303),
            Ind("MD-11", "Beneficiaries trained in soft skills", "persons", "persons_assisted",
                types=("vocational_training",), target=273),
            Ind("MD-12", "Beneficiaries in a subsidized job placement", "persons", "persons_assisted",
                types=("job_placement",), target=70),
            Ind("MD-13", "Study visits on migration management", "visits", "activities",
                activity_types=("study_visit",), target=3))),
        outcome("3", "Diaspora know-how and capital serve the economic development of municipalities.", out(
            "3.1", "B2B meetings, project proposals, diaspora investment projects.",
            Ind("MD-14", "Business-to-business meetings", "meetings", "activities", activity_types=("b2b_meeting",),
                target=10),
            Ind("MD-15", "Participants in B2B meetings", "persons", "activity_participants",
                activity_types=("b2b_meeting",), target=480),
            Ind("MD-16", "Local officials trained in project-proposal writing", "persons", "manual", manual=56,
                evidence="GERMIN report: 56 local officials trained."),
            Ind("MD-17", "Diaspora professionals engaged", "persons", "manual", manual=25,
                evidence="GERMIN report: 25 diaspora professionals engaged."),
            Ind("MD-18", "Diaspora investment partnership agreements", "agreements", "manual", manual=6,
                evidence="Six signed partnership agreements (CH ×3, DE ×2, SI ×1)."),
            Ind("MD-19", "Direct beneficiaries of diaspora investment projects", "persons", "manual", manual=200,
                evidence="Diaspora investment project reports: employees and owners of the businesses."),
            Ind("MD-20", "Indirect beneficiaries of diaspora investment projects", "persons", "manual", manual=600,
                evidence="Diaspora investment project reports: the employees' families."),
            Ind("MD-21", "Employees in capacity building trainings", "persons", "manual", manual=180,
                evidence="Diaspora investment project reports: attendance sheets."))),
    ]),
    "HU-AVRR": ((D(2014, 8, 1), D(2014, 11, 30)),
                "Hungarian AVRR programmes give returnees to Kosovo more effective reintegration assistance.", [
        outcome("1.1", "Recommendations for improving reintegration assistance are agreed.", out(
            "1.1.1", "A questionnaire, a 2-day international conference in Kosovo and a bilingual report.",
            Ind("HU-1", "Questionnaires on EU Member States' reintegration programmes analysed", "questionnaires",
                "manual", manual=1, evidence="Questionnaire findings, presented at the conference."),
            Ind("HU-2", "International conferences held", "conferences", "activities",
                activity_types=("conference",), target=1),
            Ind("HU-3", "Conference participants", "persons", "activity_participants",
                activity_types=("conference",)),
            Ind("HU-4", "Bilingual reports (English, Hungarian) with recommendations", "reports", "manual",
                manual=1, evidence="The report, published by IOM Budapest in November 2014."))),
    ]),
}


def load_frameworks(admin, created):
    from assistance.models import AssistanceType
    from programmes.models import Programme
    from reports.actions import create_indicator, create_result, record_manual_value, set_target
    from reports.models import Indicator, Result

    types = {t.code: t for t in AssistanceType.objects.all()}
    done = set(Result.objects.values_list("programme__code", flat=True))
    programmes = {p.code: p for p in Programme.objects.filter(code__in=FRAMEWORKS)}
    for code, (period, goal_statement, outcomes) in FRAMEWORKS.items():
        if code in done or code not in programmes:
            continue
        programme = programmes[code]
        by_code = {}

        def result(level, number, statement, parent):
            return create_result(Result(programme=programme, level=level, code=number, statement=statement,
                                        parent=parent), acting_user=admin, via="command")

        def indicators(under, specs):
            for spec in specs:
                start, end = spec.period or period
                numerator, denominator = (by_code[c] for c in spec.ratio) if spec.ratio else (None, None)
                indicator = create_indicator(Indicator(
                    result=under, code=spec.code, name=spec.name, unit=spec.unit, measure=spec.measure,
                    activity_types=list(spec.activity_types), project_types=list(spec.project_types),
                    disaggregations=list(spec.by), numerator=numerator, denominator=denominator,
                    position=len(by_code)), assistance_types=[types[t] for t in spec.types], acting_user=admin,
                    via="command")
                by_code[spec.code] = indicator
                if spec.target is not None:
                    set_target(indicator, start, end, spec.target, acting_user=admin, via="command")
                if spec.manual is not None:
                    set_target(indicator, start, end, spec.manual, acting_user=admin, via="command")
                    record_manual_value(indicator, start, end, spec.manual, spec.evidence, acting_user=admin,
                                        via="command")
                created["indicators"] += 1

        goal = result("goal", "1", goal_statement, None)
        for _level, number, statement, own, outputs in outcomes:
            # Numbered as logframes number them: outcome 1.2, its output 1.2.1.
            node = result("outcome", number if "." in number else f"1.{number}", statement, goal)
            indicators(node, own)
            for _o, out_number, out_statement, specs in outputs:
                output = result("output", out_number if out_number.count(".") >= 2 else f"1.{out_number}",
                                out_statement, node)
                indicators(output, specs)
