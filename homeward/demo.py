"""The demo dataset behind `homeward demo`: the organisations and programmes of the seed documents,
about 1,200 synthetic households whose names, places and communities look like Kosovo's, and one
user per role and place. The assistance, activities and projects are drawn so that reports/
computes each seed's reported figures exactly (homeward/demo_results.py holds the frameworks).

Everything is deterministic (one random.Random(SEED)) and keyed (organisations by name,
programmes by code, users by user name, households by a DEMO- ref), so a second run adds nothing.
Writes go through the action functions, like any other write, as the demo admin; households,
enrolments and house milestones, known valid, are written in bulk with the same rows and audit
entries those actions write.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Role, User
from audit.models import AuditEntry, diff, entry, record, record_many, snapshot
from homeward import statistics
from homeward.text import to_cyrillic
from places.models import Community, Country, Municipality
from programmes.models import Organisation, Programme
from registry.models import Household, IdentityDocument, Person, PersonVulnerability, VulnerabilityCategory

SEED = 20071111
PASSWORD = "homeward-demo"
# Ages are reckoned from a fixed day, so the dataset does not change with the clock.
TODAY = datetime.date(2025, 6, 30)

# Organisations: name, short name, kind, country.
ORGANISATIONS = [
    ("EU Office in Kosovo", "EU", "donor", "XK"),
    ("Delegation of the European Union to the Republic of Serbia", "EU Delegation in Serbia", "donor", "RS"),
    ("European Agency for Reconstruction", "EAR", "donor", None),
    ("European Return Fund", "ERF", "donor", None),
    ("UK Home Office / Department for International Development", "UK Home Office/DFID", "donor", "GB"),
    ("Swedish International Development Cooperation Agency", "Sida", "donor", "SE"),
    ("International Organization for Migration", "IOM", "implementing_agency", None),
    ("Ministry for Communities and Returns", "MCR", "government", "XK"),
    ("Ministry of Internal Affairs, Department for Reintegration of Repatriated Persons and Integration of "
     "Foreigners", "MIA DRRPIF", "government", "XK"),
    ("Kosovo Investment and Enterprise Support Agency", "KIESA", "government", "XK"),
    ("Kosovo Protection Corps", "KPC", "government", "XK"),
    ("Hungarian Ministry of Interior", "HU Ministry of Interior", "government", "HU"),
    ("Kancelarija za Kosovo i Metohiju", "Kancelarija za KiM", "government", "RS"),
    ("Komesarijat za izbeglice i migracije Republike Srbije", "Komesarijat za izbeglice i migracije", "government",
     "RS"),
    ("City of Kragujevac", "Grad Kragujevac", "government", "RS"),
    ("Municipal Office for Communities and Return Klinë/Klina", "MOCR Klinë", "government", "XK"),
    ("Municipal Office for Communities and Return Dragash/Dragaš", "MOCR Dragash", "government", "XK"),
    ("Municipal Office for Communities and Return Lipjan/Lipljan", "MOCR Lipjan", "government", "XK"),
    ("Božur", "", "partner", "RS"),
    ("Sveti Spas", "", "partner", "RS"),
    ("Jesuit Refugee Service Kosova", "JRS Kosova", "partner", "XK"),
    ("D&D Business Support Centre", "D&D", "partner", "XK"),
    ("GERMIN", "", "partner", "XK"),
    ("Institute of Psychology, University of Prishtina", "Institute of Psychology UP", "partner", "XK"),
]


@dataclass
class Seed:
    code: str
    name: str
    description: str
    parent: str = None
    start: datetime.date = None
    end: datetime.date = None
    donors: tuple = ()
    implementers: tuple = ()
    partners: tuple = ()
    municipalities: tuple = ()
    countries: tuple = ()
    sdg: tuple = ()
    sensitive: bool = False
    budget: int = None  # EUR, for the budget pages


D = datetime.date
RRK_DESCRIPTION = (
    "Supports displaced persons, including IDPs and refugees returning to Kosovo, with construction of new "
    "homes, harmonized assistance packages (food, non-food items, firewood, furniture) and income generation "
    "packages, and strengthens central and local authorities to manage reintegration. Since November 11, 2017 "
    "it has built 377 houses for returning non-majority communities and implemented 20 community and "
    "infrastructure projects.")
PROGRAMMES = [
    Seed("RRK", "EU Return and Reintegration Programme in Kosovo", RRK_DESCRIPTION, start=D(2017, 11, 11),
         donors=("EU",), implementers=("IOM",), partners=("MCR",), countries=("XK",), sdg=(1, 10, 11)),
    Seed("RRK-I", "RRK I", "First phase of the EU-Return and Reintegration Programme.", parent="RRK",
         start=D(2017, 11, 11), donors=("EU",), implementers=("IOM",), partners=("MCR",)),
    Seed("RRK-II", "RRK II", "Second phase of the EU-Return and Reintegration Programme.", parent="RRK",
         donors=("EU",), implementers=("IOM",), partners=("MCR",)),
    Seed("RRK-III", "RRK III", "Third phase of the EU-Return and Reintegration Programme.", parent="RRK",
         donors=("EU",), implementers=("IOM",), partners=("MCR",)),
    Seed("RRK-IV", "RRK IV", "Fourth phase of the EU-Return and Reintegration Programme.", parent="RRK",
         donors=("EU",), implementers=("IOM",), partners=("MCR",)),
    Seed("RRK-V", "RRK V", "Fifth phase of the EU-Return and Reintegration Programme.", parent="RRK",
         donors=("EU",), implementers=("IOM",), partners=("MCR",)),
    Seed("RRK-VI", "RRK VI",
         "Sixth phase, launched on April 1, 2024 with MCR and the EU Office in Kosovo: aims to construct 32 "
         "houses for displaced beneficiaries; construction started for 7 families (about 35 individuals) from "
         "Dragash/Dragaš and Lipjan/Ljipjane, returning to their places of origin or integrating where they live.",
         parent="RRK", start=D(2024, 4, 1), donors=("EU",), implementers=("IOM",), partners=("MCR",),
         municipalities=("M24", "M04"), countries=("XK",), sdg=(1, 10, 11), budget=1_200_000),
    Seed("EAR-RAE-KLINA", "Fostering the Sustainable Return and Reintegration of Roma, Ashkali and Egyptian (RAE) "
         "communities to Klinë/Klina municipality",
         "One-year EAR/IOM programme: reconstructed 30 houses for 30 families who have already moved in, and "
         "implemented 30 income generation projects (ten production-based, 20 service-based), mostly wood and "
         "metal processing, locksmith services, craftsmanship and construction services.",
         start=D(2007, 1, 1), end=D(2007, 12, 31), donors=("EAR",), implementers=("IOM",),
         municipalities=("M18",), countries=("XK",), budget=900_000),
    Seed("UK-VARRP", "UK Voluntary Assisted Return and Reintegration Programme",
         "In 2007, 55 individuals benefited directly and 95 indirectly from 26 projects: on-the-job training "
         "through salary subsidies, construction, jobs in the service sector and agriculture. Most returnees from "
         "the UK resettled in the Prishtinë/Priština and Mitrovicë/Mitrovica region.",
         start=D(2007, 1, 1), end=D(2007, 12, 31), donors=("UK Home Office/DFID",), implementers=("IOM",),
         municipalities=("M01", "M09"), countries=("XK", "GB"), budget=120_000),
    Seed("KPC-PILOT", "Reintegration Assistance for Separated Kosovo Protection Corps Members",
         "IOM pilot project, concluded in September 2007: assisted over 86 KPC members separating from the KPC "
         "with basic business skills training, referral to further training, on-the-job training through salary "
         "subsidies and financial assistance for business development.",
         end=D(2007, 9, 30), implementers=("IOM",), partners=("KPC",), countries=("XK",)),
    Seed("KPC-TF", "KPC Trust Fund Programme",
         "Aimed to productively engage members of the Kosovo Protection Corps in civic and humanitarian work; "
         "concluded in December 2007. Its last phase built three medical clinics, one sewage system, two bridges "
         "and four schools in Kosovo villages.",
         end=D(2007, 12, 31), implementers=("IOM",), partners=("KPC",), countries=("XK",)),
    Seed("CT-IGS", "Counter-trafficking: income generation support for trafficked persons",
         "Trafficked persons from Kosovo identified and assisted by IOM and partners received income generating "
         "support: poultry farms, milk production, a small coffee shop, bakery, and vocational training.",
         start=D(2007, 1, 1), end=D(2007, 12, 31), implementers=("IOM",), countries=("XK",), sensitive=True),
    Seed("SMP", "Swedish Medical Programme",
         "Since January 2000, in cooperation with IOM: medical evacuations to Sweden and Bosnia and Herzegovina, "
         "visits by Swedish doctors and nurses assisting in surgeries in Kosovo, and medical trainings in Sweden "
         "for Kosovo health professionals.",
         start=D(2000, 1, 1), donors=("Sida",), implementers=("IOM",), countries=("XK", "SE"), sensitive=True),
    Seed("MIGDIA", "Migration and Diaspora",
         "Kosovar municipalities are perceived as places of positive socio-economic development by making better "
         "use of the potential of repatriated persons, refugees and diaspora: municipal action plans for "
         "reintegration, psychosocial support, economic integration, and diaspora investment.",
         partners=("MIA DRRPIF", "JRS Kosova", "Institute of Psychology UP", "D&D", "GERMIN", "KIESA"),
         countries=("XK",)),
    Seed("SR-ODRZIVI", "Održivi povratak - podrška i osnaživanje (Sustainable Return from Serbia)",
         "Prioritetne potrebe interno raseljenih lica koja žele da se vrate na Kosovo: informativna kampanja, "
         "podrška pri povratku (transport i povratnički paketi za 30 porodica), oprema i alati za 104 porodice, "
         "stručni kursevi, trening za poslovanje i mentorstvo. Finansira EU posredstvom Delegacije EU u Srbiji, "
         "u saradnji sa Kancelarijom za KiM i Komesarijatom za izbeglice i migracije.",
         donors=("EU Delegation in Serbia",), partners=("Grad Kragujevac", "Božur", "Sveti Spas",
                                                        "Kancelarija za KiM", "Komesarijat za izbeglice i migracije"),
         countries=("RS", "XK"), budget=650_000),
    Seed("HU-AVRR", "Improving Reintegration Assistance for Beneficiaries Returning to Kosovo (UNSCR 1244)",
         "Recommendations on how the reintegration assistance of Hungarian assisted voluntary return and "
         "reintegration (AVRR) programmes to Kosovo could be improved: a questionnaire on EU Member States' "
         "programmes, a 2-day international conference in Kosovo and a bilingual report.",
         start=D(2014, 8, 1), end=D(2014, 11, 30), donors=("ERF",), implementers=("IOM",),
         partners=("HU Ministry of Interior",), countries=("HU", "XK")),
]

# user name, role, municipalities, organisations, programmes, sensitive, who
USERS = [
    ("admin", Role.ADMIN, (), (), (), True, "administrator, sees everything"),
    ("klina", Role.CASEWORKER, ("M18",), (), (), False, "caseworker in Klinë/Klina"),
    ("dragash", Role.CASEWORKER, ("M24",), (), (), False, "caseworker in Dragash/Dragaš"),
    ("bozur", Role.PARTNER, (), ("Božur",), (), False, "partner organisation Božur (Serbia)"),
    ("manager", Role.MANAGER, (), (), ("RRK",), False, "programme manager of RRK and its phases"),
    ("me", Role.ME, (), (), ("RRK",), False, "monitoring and evaluation officer for RRK"),
    ("donor", Role.DONOR, (), ("EU",), ("RRK",), False, "donor (EU), aggregates only"),
    ("auditor", Role.AUDITOR, (), (), (), False, "auditor, reads the audit trail"),
]

# Names ----------------------------------------------------------------------------------------

ALB_M = ["Agim", "Arben", "Besnik", "Qëndrim", "Xhevdet", "Fatmir", "Bujar", "Driton", "Valon", "Ilir", "Lulzim",
         "Burim", "Afrim", "Bekim", "Faton", "Gëzim", "Naim", "Rexhep", "Hysen", "Avdyl", "Fisnik", "Blerim",
         "Shkëlzen", "Arianit", "Leotrim", "Mentor", "Ardian"]
ALB_F = ["Drita", "Shpresa", "Valbona", "Fatmire", "Mimoza", "Vjosa", "Teuta", "Lirie", "Nexhmije", "Hava",
         "Zana", "Arta", "Besa", "Blerta", "Flaka", "Donika", "Qendresa", "Shqipe", "Merita", "Luljeta",
         "Afërdita", "Rina", "Elira", "Vlora"]
ALB_FAMILY = ["Krasniqi", "Berisha", "Gashi", "Hoxha", "Shala", "Morina", "Kelmendi", "Bytyqi", "Hasani",
              "Rexhepi", "Gjoka", "Thaçi", "Hyseni", "Ahmeti", "Rama", "Dema", "Kryeziu", "Zeka", "Maloku",
              "Sylejmani", "Halili", "Bajraktari", "Gjonbalaj", "Lushtaku"]
RAE_M = ["Bajram", "Sabit", "Muharrem", "Shaban", "Ramadan", "Sami", "Enver", "Xhemajl", "Bekim", "Sejdi", "Isuf",
         "Jashar", "Nazmi", "Besim", "Fadil", "Adem", "Bajrush", "Avdi"]
RAE_F = ["Sabrije", "Hatixhe", "Mexhide", "Bukurije", "Hava", "Fatime", "Shpresa", "Lumnije", "Nazmije", "Sanije",
         "Mirvete", "Vjollca", "Elmaze", "Sevdije", "Ajshe", "Medine"]
RAE_FAMILY = ["Mustafa", "Bajrami", "Salihu", "Ademi", "Osmani", "Avdiu", "Berisha", "Gashi", "Krasniqi",
              "Elshani", "Hajdini", "Qerimi", "Zeqiri", "Beqiri", "Demiri", "Sejdiu", "Kurteshi"]
SRB_M = ["Dragan", "Milan", "Zoran", "Nenad", "Dejan", "Miloš", "Goran", "Slobodan", "Vladimir", "Nikola", "Stefan",
         "Miroslav", "Dušan", "Živojin", "Predrag", "Radomir", "Srđan", "Aleksandar", "Marko", "Luka", "Đorđe"]
SRB_F = ["Mirjana", "Jelena", "Snežana", "Dragana", "Milica", "Vesna", "Ljiljana", "Gordana", "Biljana", "Jovana",
         "Ana", "Slavica", "Danica", "Radmila", "Živka", "Nevena", "Tijana", "Marija"]
SRB_FAMILY = ["Petrović", "Jovanović", "Nikolić", "Stojanović", "Đorđević", "Marković", "Ilić", "Stanković",
              "Pavlović", "Milosavljević", "Todorović", "Vasić", "Mitić", "Simić", "Lazić", "Savić", "Kostić",
              "Spasić", "Trajković", "Dimitrijević"]
GOR_M = ["Ramadan", "Fadil", "Safet", "Ismet", "Muharem", "Senad", "Ćamil", "Džemail", "Ruždi", "Sabit", "Hamdija",
         "Nedžad", "Edin", "Redžep"]
GOR_F = ["Emina", "Fatima", "Zibija", "Hajrija", "Šefika", "Nadžija", "Sebiha", "Ajša", "Senija", "Mersiha",
         "Elma", "Amra"]
GOR_FAMILY = ["Ramadani", "Selimi", "Bajrami", "Ajdini", "Šabani", "Redžepi", "Asani", "Hajdari", "Ismaili",
              "Mustafi", "Murati", "Jonuzi"]
BOS_M = ["Amir", "Edin", "Emir", "Adnan", "Senad", "Nermin", "Almir", "Enes", "Haris", "Kemal", "Mirsad"]
BOS_F = ["Selma", "Amela", "Sabina", "Aida", "Lejla", "Merima", "Emina", "Edina", "Alma", "Dženana"]
BOS_FAMILY = ["Hodžić", "Alić", "Mehmedović", "Kurtović", "Hadžić", "Begović", "Ferizović", "Muratović",
              "Kalač", "Šehović"]
# Refugees and asylum seekers from the Migration and Diaspora seed's top countries of origin.
FOREIGN = [
    ("AF", ["Ahmad", "Farid", "Jawad"], ["Zahra", "Maryam", "Fatima"], ["Rahimi", "Karimi", "Ahmadi"]),
    ("SY", ["Omar", "Khaled", "Yousef"], ["Rania", "Lina", "Huda"], ["Haddad", "Khalil", "Al-Masri"]),
    ("UA", ["Dmytro", "Oleksandr", "Serhiy"], ["Iryna", "Olena", "Natalia"], ["Bondarenko", "Melnyk", "Kovalenko"]),
    ("TR", ["Mehmet", "Emre", "Mustafa"], ["Ayşe", "Elif", "Zeynep"], ["Yılmaz", "Demir", "Kaya"]),
    ("IQ", ["Ali", "Hussein", "Mahmoud"], ["Noor", "Zainab", "Sara"], ["Hassan", "Jasim", "Al-Obaidi"]),
]

# Places: (municipality code, settlements).
KLINA_RAE = ["Klinë e Poshtme", "Dollc", "Budisalc", "Rudicë", "Zllakuqan", "Grabanicë"]
KLINA_SERB = ["Grabac", "Drsnik", "Vidanje", "Čelopek", "Dobra Voda"]
DRAGASH = ["Restelicë", "Brod", "Krushevë", "Zlipotok", "Gllobocicë", "Mlikë", "Baçkë", "Kukaljan", "Radeshë"]
PRIZREN_BOS = ["Rečane", "Sredska", "Mušnikovo", "Gornje Selo", "Prizren, Ortakol"]
LIPJAN = ["Magurë", "Janjevë", "Gadime", "Rufc i Ri", "Lipjan"]
SERBIA_CENTRES = [
    ("Kolektivni centar Kragujevac", "collective_centre"), ("Kolektivni centar Kraljevo, Ribnica", "collective_centre"),
    ("Kolektivni centar Vranje", "collective_centre"), ("Kragujevac, Aerodrom", "rented"),
    ("Kragujevac, Stanovo", "private"), ("Kruševac", "rented"), ("Niš, Medoševac", "informal_settlement"),
    ("Smederevo", "host_family"), ("Kraljevo", "private"),
]
SERB_ORIGINS = ["M18", "M16", "M17", "M23", "M19", "M01", "M04", "M22"]
RETURNEE_PLACES = [("M01", "Prishtinë"), ("M09", "Mitrovicë"), ("M28", "Ferizaj"), ("M27", "Suharekë"),
                   ("M19", "Gjakovë"), ("M16", "Pejë"), ("M02", "Podujevë"), ("M33", "Gjilan")]

# Enrolment statuses and the path of transitions that leads to each from "applied".
PATHS = {
    "applied": [],
    "assessed": ["assessed"],
    "eligible": ["assessed", "eligible"],
    "ineligible": ["assessed", "ineligible"],
    "waitlisted": ["assessed", "eligible", "waitlisted"],
    "rejected": ["assessed", "eligible", "rejected"],
    "selected": ["assessed", "eligible", "selected"],
    "assisted": ["assessed", "eligible", "selected", "assisted"],
    "monitored": ["assessed", "eligible", "selected", "assisted", "monitored"],
    "closed": ["assessed", "eligible", "selected", "assisted", "monitored", "closed"],
}
REASONS = {
    "ineligible": "Does not meet the vulnerability criteria of the programme.",
    "rejected": "Selection committee: lower vulnerability score than the selected families.",
    "closed": "Reintegration completed and monitoring visit done.",
}
# Finished programmes have finished cases; running ones have cases at every step.
FINISHED = {"assisted": 3, "monitored": 3, "closed": 6, "rejected": 1, "ineligible": 1}
RUNNING = {"applied": 3, "assessed": 3, "eligible": 2, "ineligible": 1, "selected": 2, "waitlisted": 2,
           "rejected": 1, "assisted": 3, "monitored": 1}


@dataclass
class Group:
    """One kind of household in the demo: who they are, where they live, which programmes."""
    name: str
    count: int
    communities: tuple
    names: tuple  # (male given, female given, family)
    statuses: tuple
    programmes: tuple  # (code, probability)
    cyrillic: float = 0.0  # share of households written in Serbian Cyrillic
    like: str = None  # drawn like this other group (places, sizes, vulnerabilities); default its own name
    # Programmes where this group's cases stay in the pipeline (applied ... rejected, never
    # assisted), so the programme's figures come only from the groups drawn for them.
    pipeline: tuple = ()
    # Groups drawn for a seed figure: each household is enrolled in the next programme of
    # `cycle` with status `settled`, and has the next size of `sizes`, so the figure is exact.
    cycle: tuple = ()
    settled: str = "closed"
    sizes: tuple = ()
    places: tuple = ()  # (municipality code, town), the next one for each household

    @property
    def kind(self):
        return self.like or self.name


def _sizes(*runs):
    """Household sizes interleaved from (count, size) runs: (2, 4), (1, 3) → 4, 3, 4."""
    queues = [[size] * count for count, size in runs]
    out = []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop())
    return tuple(out)


RRK_PHASES = ("RRK-I", "RRK-II", "RRK-III", "RRK-IV", "RRK-V")
# UK returnees, mostly in the Prishtinë/Priština (D1) and Mitrovicë/Mitrovica (D2) regions.
UK_PLACES = ((("M01", "Prishtinë"),) * 9 + (("M09", "Mitrovicë"),) * 6 + (("M05", "Fushë Kosovë"),) * 2
             + (("M02", "Podujevë"),) * 2 + (("M06", "Obiliq"),) + (("M15", "Vushtrri"),) * 2
             + (("M28", "Ferizaj"),) * 2 + (("M19", "Gjakovë"), ("M16", "Pejë")))

GROUPS = [
    Group("rae_klina", 55, ("ROM", "ASH", "EGY"), (RAE_M, RAE_F, RAE_FAMILY), ("returnee", "idp"),
          (("EAR-RAE-KLINA", 0.55), ("RRK-II", 0.2), ("RRK-IV", 0.2), ("RRK-VI", 0.1))),
    Group("gorani_dragash", 35, ("GOR",), (GOR_M, GOR_F, GOR_FAMILY), ("returnee", "idp", "repatriated"),
          (("RRK-VI", 0.5), ("RRK-V", 0.3), ("RRK-III", 0.2))),
    Group("bosniak_prizren", 15, ("BOS",), (BOS_M, BOS_F, BOS_FAMILY), ("returnee", "repatriated"),
          (("RRK-III", 0.4), ("RRK-V", 0.3))),
    Group("serbs_in_serbia", 60, ("SRB",), (SRB_M, SRB_F, SRB_FAMILY), ("idp",),
          (("SR-ODRZIVI", 0.8), ("RRK-V", 0.15), ("RRK-VI", 0.1)), cyrillic=0.35, pipeline=("SR-ODRZIVI",)),
    Group("serb_returnees", 20, ("SRB",), (SRB_M, SRB_F, SRB_FAMILY), ("returnee",),
          (("RRK-I", 0.3), ("RRK-III", 0.3), ("RRK-IV", 0.3), ("SR-ODRZIVI", 0.3)), cyrillic=0.35,
          pipeline=("SR-ODRZIVI",)),
    Group("lipjan", 15, ("ASH", "SRB"), None, ("returnee", "idp"), (("RRK-VI", 0.8), ("RRK-II", 0.2))),
    Group("albanian_returnees", 60, ("ALB",), (ALB_M, ALB_F, ALB_FAMILY), ("repatriated", "avrr"),
          (("UK-VARRP", 0.3), ("HU-AVRR", 0.2), ("MIGDIA", 0.4)), pipeline=("UK-VARRP", "MIGDIA")),
    Group("kpc", 15, ("ALB",), (ALB_M, ALB_F, ALB_FAMILY), ("host",), (("KPC-PILOT", 1.0), ("KPC-TF", 0.2)),
          pipeline=("KPC-PILOT",)),
    Group("counter_trafficking", 8, ("ALB", "ROM"), (ALB_M, ALB_F, ALB_FAMILY), ("repatriated",),
          (("CT-IGS", 1.0),), pipeline=("CT-IGS",)),
    Group("medical", 8, ("ALB", "SRB", "GOR"), (ALB_M, ALB_F, ALB_FAMILY), ("host",), (("SMP", 1.0),),
          pipeline=("SMP",)),
    Group("foreigners", 10, ("OTH",), None, ("refugee", "asylum_seeker", "foreigner"), (("MIGDIA", 0.9),),
          pipeline=("MIGDIA",)),
    # The groups below are drawn for the seeds' figures (homeward/demo_results.py computes them):
    # appended after the others, so the households above keep their members, names and places.
    # UK-VARRP: 26 families of 150 people; 4 small families with a grant, 22 with a placement.
    Group("uk_returnees", 26, ("ALB",), (ALB_M, ALB_F, ALB_FAMILY), ("returnee", "avrr"), (),
          like="albanian_returnees", cycle=("UK-VARRP",), sizes=(1, 2, 1, 2) + _sizes((12, 7), (10, 6)),
          places=UK_PLACES),
    # RRK VI: construction for 7 families of 35 people in Dragash/Dragaš and Lipjan/Lipljan.
    Group("rrk6_dragash", 4, ("GOR",), (GOR_M, GOR_F, GOR_FAMILY), ("returnee", "idp"), (),
          like="gorani_dragash", cycle=("RRK-VI",), settled="monitored", sizes=(5, 6, 4, 5)),
    Group("rrk6_lipjan", 3, ("ASH",), None, ("returnee", "idp"), (), like="lipjan", cycle=("RRK-VI",),
          settled="monitored", sizes=(5, 5, 5)),
    # RRK I-V: the families of 377 houses built since 11 November 2017.
    Group("rrk_serbs", 110, ("SRB",), (SRB_M, SRB_F, SRB_FAMILY), ("returnee",), (), like="serb_returnees",
          cyrillic=0.35, cycle=RRK_PHASES),
    Group("rrk_rae", 100, ("ROM", "ASH", "EGY"), (RAE_M, RAE_F, RAE_FAMILY), ("returnee", "idp"), (),
          like="rae_klina", cycle=RRK_PHASES),
    Group("rrk_gorani", 90, ("GOR",), (GOR_M, GOR_F, GOR_FAMILY), ("returnee", "repatriated"), (),
          like="gorani_dragash", cycle=RRK_PHASES),
    Group("rrk_bosniaks", 77, ("BOS",), (BOS_M, BOS_F, BOS_FAMILY), ("returnee", "repatriated"), (),
          like="bosniak_prizren", cycle=RRK_PHASES),
    Group("kpc_members", 87, ("ALB",), (ALB_M, ALB_F, ALB_FAMILY), ("host",), (), like="kpc",
          cycle=("KPC-PILOT",)),
    Group("ct_cases", 11, ("ALB", "ROM"), (ALB_M, ALB_F, ALB_FAMILY), ("repatriated",), (),
          like="counter_trafficking", cycle=("CT-IGS",)),
    Group("smp_patients", 86, ("ALB", "SRB", "GOR"), (ALB_M, ALB_F, ALB_FAMILY), ("host",), (), like="medical",
          cycle=("SMP",), settled="monitored"),
    # SR-ODRZIVI: 30 families (108 people) returned; 104 families (216 people) with equipment.
    Group("sr_return", 30, ("SRB",), (SRB_M, SRB_F, SRB_FAMILY), ("returnee",), (), like="serb_returnees",
          cyrillic=0.35, cycle=("SR-ODRZIVI",), sizes=_sizes((18, 4), (12, 3))),
    Group("sr_grants", 104, ("SRB",), (SRB_M, SRB_F, SRB_FAMILY), ("idp",), (), like="serbs_in_serbia",
          cyrillic=0.35, cycle=("SR-ODRZIVI",), sizes=_sizes((27, 1), (50, 2), (19, 3), (8, 4))),
    # MIGDIA: repatriated families in economic integration, refugees in language courses.
    Group("migdia_returnees", 155, ("ALB",), (ALB_M, ALB_F, ALB_FAMILY), ("repatriated",), (),
          like="albanian_returnees", cycle=("MIGDIA",), settled="assisted"),
    Group("migdia_refugees", 20, ("OTH",), None, ("refugee", "asylum_seeker"), (), like="foreigners",
          cycle=("MIGDIA",), settled="assisted", sizes=_sizes((13, 4), (7, 3))),
]


# Loading ----------------------------------------------------------------------------------------


class Loader:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.created = {"organisations": 0, "programmes": 0, "users": 0, "households": 0, "persons": 0,
                        "deliveries": 0, "activities": 0, "projects": 0, "indicators": 0}

    @transaction.atomic
    def run(self):
        self.load_organisations()
        self.admin = self.load_users()
        self.load_programmes()
        self.communities = {c.code: c for c in Community.objects.all()}
        self.countries = {c.code: c for c in Country.objects.all()}
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.vulnerabilities = {v.code: v for v in VulnerabilityCategory.objects.all()}
        existing = set(Household.objects.filter(ref__startswith="DEMO-").values_list("ref", flat=True))
        plans = []
        for group in GROUPS:
            for i in range(group.count):
                # Every household is drawn even when it exists, so the random stream (and so every
                # later household) is the same on each run.
                plans.append(self.draw_household(group, f"DEMO-{len(plans) + 1:04d}", i))
        self.groups = {}
        for plan in plans:
            self.groups.setdefault(plan["group"], []).append(plan["ref"])
        self.write_households([p for p in plans if p["ref"] not in existing])
        AssistanceLoader(self.admin, self.created, self.groups).run()
        from homeward.demo_results import load_frameworks

        load_frameworks(self.admin, self.created)
        return self.created

    # Reference rows

    def load_organisations(self):
        self.orgs = {}
        countries = {c.code: c for c in Country.objects.all()}
        for name, short, kind, country in ORGANISATIONS:
            org, created = Organisation.objects.get_or_create(
                name=name, defaults={"short_name": short, "kind": kind, "country": countries.get(country)})
            self.created["organisations"] += created
            self.orgs[short or name] = org

    def load_users(self):
        self.new_users = []
        hashed = None
        for username, role, municipalities, organisations, _programmes, sensitive, _who in USERS:
            if User.objects.filter(username=username).exists():
                continue
            # Hashing is slow on purpose; the demo users share one password, so hash it once.
            hashed = hashed or make_password(PASSWORD)
            user = User.objects.create(username=username, password=hashed, role=role, sensitive=sensitive)
            user.municipalities.set(Municipality.objects.filter(code__in=municipalities))
            user.organisations.set([self.orgs[o] for o in organisations])
            record(None, AuditEntry.Action.CREATE, user, changes={"role": [None, role]}, via="command")
            self.new_users.append(user)
            self.created["users"] += 1
        return User.objects.get(username=USERS[0][0])

    def load_programmes(self):
        from programmes.actions import create_programme

        for seed in PROGRAMMES:
            if Programme.objects.filter(code=seed.code).exists():
                continue
            programme = Programme(
                code=seed.code, name=seed.name, description=seed.description, start_date=seed.start,
                end_date=seed.end, sdg_goals=list(seed.sdg), sensitive=seed.sensitive, budget_eur=seed.budget,
                parent=Programme.objects.get(code=seed.parent) if seed.parent else None)
            create_programme(programme, donors=[self.orgs[d] for d in seed.donors], acting_user=self.admin,
                             via="command")
            programme.implementers.set([self.orgs[o] for o in seed.implementers])
            programme.partners.set([self.orgs[o] for o in seed.partners])
            programme.coverage_municipalities.set(Municipality.objects.filter(code__in=seed.municipalities))
            programme.coverage_countries.set(Country.objects.filter(code__in=seed.countries))
            self.created["programmes"] += 1
        # Programme scopes are given once the programmes exist, to users created on this run only.
        scopes = {u[0]: u[4] for u in USERS}
        for user in self.new_users:
            user.programmes.set(Programme.objects.filter(code__in=scopes[user.username]))

    # Households

    def draw_household(self, group, ref, index=0):
        rng = self.rng
        community = rng.choice(group.communities)
        names = group.names
        if group.kind == "lipjan":
            names = (SRB_M, SRB_F, SRB_FAMILY) if community == "SRB" else (RAE_M, RAE_F, RAE_FAMILY)
        if group.kind == "medical" and community != "ALB":
            names = (SRB_M, SRB_F, SRB_FAMILY) if community == "SRB" else (GOR_M, GOR_F, GOR_FAMILY)
        if group.kind == "foreigners":
            _country, male, female, family = rng.choice(FOREIGN)
            names = (male, female, family)
        cyrillic = rng.random() < group.cyrillic
        place = self.draw_place(group, community)
        if group.places:
            code, town = group.places[index % len(group.places)]
            place = {**place, "origin": code, "current": code, "place": town}
        status = rng.choice(group.statuses)
        size = group.sizes[index % len(group.sizes)] if group.sizes else self.draw_size(group)
        members = self.draw_members(names, size, status, community, single_woman=group.kind == "counter_trafficking")
        if cyrillic:
            for m in members:
                for key in ("given_name", "family_name", "father_name"):
                    m[key] = to_cyrillic(m[key])
        phone_prefix = "+381 6" + rng.choice("0234") if place["country"] == "RS" else "+383 4" + rng.choice("3459")
        members[0]["phone"] = f"{phone_prefix} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        for m in members:
            m["id_number"] = ""
            if TODAY.year - m["birth_year"] >= 18 and rng.random() < 0.6:
                m["id_number"] = ("".join(str(rng.randint(0, 9)) for _ in range(13)) if place["country"] == "RS"
                                  else "1" + "".join(str(rng.randint(0, 9)) for _ in range(9)))
        vulnerabilities = self.draw_vulnerabilities(group, members)
        enrolments = []
        if group.cycle:
            enrolments.append((group.cycle[index % len(group.cycle)], group.settled))
        for code, probability in group.programmes:
            if rng.random() < probability:
                seed = next(s for s in PROGRAMMES if s.code == code)
                weights = FINISHED if seed.end and seed.end < TODAY else RUNNING
                if code in group.pipeline:
                    weights = {status: n for status, n in weights.items() if status not in DONE}
                enrolments.append((code, rng.choices(list(weights), list(weights.values()))[0]))
        if not enrolments:
            code = group.programmes[0][0]
            enrolments.append((code, "applied"))
        return {"ref": ref, "group": group.name, "members": members, "vulnerabilities": vulnerabilities,
                "enrolments": enrolments, **place}

    def draw_place(self, group, community):
        rng, name = self.rng, group.kind
        kosovo = {"country": "XK", "accommodation": rng.choice(["private", "private", "rented", "host_family"])}
        if name == "rae_klina":
            return {**kosovo, "origin": "M18", "current": "M18", "place": rng.choice(KLINA_RAE),
                    "accommodation": rng.choice(["private", "rented", "informal_settlement", "host_family"])}
        if name == "gorani_dragash":
            village = rng.choice(DRAGASH)
            return {**kosovo, "origin": "M24", "current": "M24", "place": village}
        if name == "bosniak_prizren":
            return {**kosovo, "origin": "M23", "current": rng.choice(["M23", "M23", "M24"]),
                    "place": rng.choice(PRIZREN_BOS)}
        if name == "serbs_in_serbia":
            centre, accommodation = rng.choice(SERBIA_CENTRES)
            return {"country": "RS", "origin": rng.choice(SERB_ORIGINS), "current": None, "place": centre,
                    "accommodation": accommodation, "organisation": rng.choice(["Božur", "Sveti Spas"])}
        if name == "serb_returnees":
            code = rng.choice(["M18", "M18", "M04", "M17"])
            village = rng.choice(KLINA_SERB) if code == "M18" else ("Osojane" if code == "M17" else "Lipljan")
            return {**kosovo, "origin": code, "current": code, "place": village}
        if name == "lipjan":
            return {**kosovo, "origin": "M04", "current": "M04", "place": rng.choice(LIPJAN)}
        if name == "medical" and community == "GOR":
            return {**kosovo, "origin": "M24", "current": "M24", "place": rng.choice(DRAGASH)}
        if name == "medical" and community == "SRB":
            return {**kosovo, "origin": "M07", "current": "M07", "place": "Gračanica"}
        code, town = rng.choice(RETURNEE_PLACES)
        if name == "foreigners":
            return {**kosovo, "origin": None, "current": "M01", "place": "Prishtinë",
                    "accommodation": rng.choice(["rented", "collective_centre"])}
        return {**kosovo, "origin": code, "current": code, "place": town}

    def draw_size(self, group):
        if group.kind in ("counter_trafficking", "kpc"):
            return self.rng.choice([1, 1, 2, 3])
        return self.rng.choices(range(1, 9), [6, 10, 12, 16, 18, 14, 10, 6])[0]

    def draw_members(self, names, size, status, community, single_woman=False):
        rng = self.rng
        male, female, family_names = names
        family = rng.choice(family_names)
        head_sex = "F" if single_woman or rng.random() < 0.18 else "M"
        head_age = rng.randint(19, 35) if single_woman else rng.randint(24, 74)
        grandfather = rng.choice(male)

        used = {grandfather}  # the head's father is named in father_name; nobody else bears his name

        def person(relationship, sex, age, father=""):
            # Brothers and sisters do not share a given name (a son may be named after his grandfather).
            choices = [n for n in (male if sex == "M" else female) if n not in used] or (male if sex == "M" else female)
            given = rng.choice(choices)
            used.add(given)
            return {"relationship": relationship, "sex": sex, "given_name": given,
                    "family_name": family, "father_name": father, "age": age, "status": status,
                    "community": community}

        members = [person("head", head_sex, head_age, grandfather)]
        if size > 1 and not single_woman and (head_sex == "M" or rng.random() < 0.3):
            spouse_age = max(18, head_age + rng.randint(-8, 3 if head_sex == "M" else 8))
            members.append(person("spouse", "M" if head_sex == "F" else "F", spouse_age, rng.choice(male)))
        father = next((m["given_name"] for m in members if m["sex"] == "M"), rng.choice(male))
        if size - len(members) >= 2 and head_age < 50 and rng.random() < 0.25:
            members.append(person("parent", rng.choice("MF"), min(92, head_age + rng.randint(22, 32))))
            if members[-1]["sex"] == "M":
                members[-1]["given_name"] = grandfather
        # Children are born when their parents are between 18 and 45.
        youngest_child, oldest_child = max(0, head_age - 45), min(35, head_age - 18)
        while len(members) < size:
            if head_age > 58 and rng.random() < 0.4:
                members.append(person("grandchild", rng.choice("MF"), rng.randint(0, max(0, head_age - 42))))
            elif youngest_child <= oldest_child and rng.random() < 0.9:
                members.append(person("child", rng.choice("MF"), rng.randint(youngest_child, oldest_child), father))
            else:
                members.append(person(rng.choice(["sibling", "other"]), rng.choice("MF"),
                                      max(0, head_age + rng.randint(-10, 10)), grandfather))
        for m in members:
            year = TODAY.year - m.pop("age") - (1 if rng.random() < 0.5 else 0)
            m["birth_year"] = year
            # Older people more often know only their year of birth.
            age = TODAY.year - year
            if rng.random() < (0.3 if age > 50 else 0.7 if age >= 18 else 0.9):
                m["date_of_birth"] = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
            else:
                m["date_of_birth"] = None
        return members

    def draw_vulnerabilities(self, group, members):
        rng, found = self.rng, {}
        if group.kind == "counter_trafficking":
            found[0] = ["trafficking_survivor"] + (["psychosocial_need"] if rng.random() < 0.5 else [])
        elif group.kind == "medical":
            found[rng.randrange(len(members))] = ["medical_condition"]
        if members[0]["sex"] == "F" and len(members) > 1 and "spouse" not in {m["relationship"] for m in members}:
            found.setdefault(0, []).append("female_headed")
        for i, m in enumerate(members):
            age = TODAY.year - m["birth_year"]
            if age >= 70 and len(members) == 1:
                found.setdefault(i, []).append("elderly_alone")
            if 18 <= age < 65 and rng.random() < 0.12:
                found.setdefault(i, []).append("unemployed")
            if rng.random() < 0.03:
                found.setdefault(i, []).append("disability")
            if group.kind in ("rae_klina", "lipjan") and rng.random() < 0.08:
                found.setdefault(i, []).append("no_documents")
        return found

    def write_households(self, plans):
        """Households, members, documents and vulnerabilities in a few bulk inserts (the demo's
        data is known to be valid, and one create_household per family took most of a minute),
        with the same search tokens and audit rows the actions write; enrolments and their status
        changes too, along the allowed transitions of PATHS."""
        from programmes.models import Enrolment, EnrolmentStatusChange
        from registry.actions import write_tokens

        A, admin, via = AuditEntry.Action, self.admin, "command"
        municipalities, countries = self.municipalities, self.countries
        households = []
        for plan in plans:
            current, origin = municipalities.get(plan["current"]), municipalities.get(plan["origin"])
            households.append(Household(
                ref=plan["ref"], origin_municipality=origin, current_country=countries[plan["country"]],
                current_municipality=current, current_place=plan["place"], accommodation=plan["accommodation"],
                # The office responsible for a case is where the family lives, or for families
                # still displaced outside Kosovo, where they come from.
                responsible_municipality=current or origin,
                responsible_organisation=self.orgs.get(plan.get("organisation")),
                phone=plan["members"][0]["phone"]))
        Household.objects.bulk_create(households, batch_size=200)

        people, documents, vulnerabilities, entries = [], [], [], []
        for household, plan in zip(households, plans):
            entries.append(entry(admin, A.CREATE, household, changes=diff({}, snapshot(household)),
                                 household_id=household.pk, via=via))
            for i, m in enumerate(plan["members"]):
                people.append(Person(
                    household=household, ref=f"{plan['ref']}-{i + 1}", relationship=m["relationship"],
                    given_name=m["given_name"], family_name=m["family_name"], father_name=m["father_name"],
                    sex=m["sex"], date_of_birth=m["date_of_birth"], birth_year=m["birth_year"],
                    community=self.communities[m["community"]], displacement_status=m["status"],
                    phone=m.get("phone", "")))
        Person.objects.bulk_create(people, batch_size=500)

        by_ref = {p.ref: p for p in people}
        for household, plan in zip(households, plans):
            for i, m in enumerate(plan["members"]):
                person = by_ref[f"{plan['ref']}-{i + 1}"]
                write_tokens(person)
                entries.append(entry(admin, A.CREATE, person, changes=diff({}, snapshot(person)),
                                     household_id=household.pk, via=via))
                if m["id_number"]:
                    documents.append(IdentityDocument(person=person, kind="personal_number", number=m["id_number"],
                                                      issuing_country=countries[plan["country"]]))
                    entries.append(entry(admin, A.UPDATE, person, household_id=household.pk, via=via,
                                         changes={"personal_number": [None, m["id_number"]]}))
                for code in plan["vulnerabilities"].get(i, []):
                    category = self.vulnerabilities[code]
                    vulnerabilities.append(PersonVulnerability(person=person, category=category))
                    entries.append(entry(admin, A.CREATE, person, changes={"vulnerability": [None, code]},
                                         household_id=household.pk, sensitive=category.sensitive, via=via))
        IdentityDocument.objects.bulk_create(documents, batch_size=500)
        PersonVulnerability.objects.bulk_create(vulnerabilities, batch_size=500)
        record_many(entries)

        # Enrolments walk PATHS, which holds only allowed transitions: the rows and audit entries
        # programmes.actions.enrol and transition write, in bulk (one by one took most of the load).
        programmes = {p.code: p for p in Programme.objects.all()}
        enrolments, walks = [], []
        for household, plan in zip(households, plans):
            for code, status in plan["enrolments"]:
                enrolments.append(Enrolment(household=household, programme=programmes[code], status=status,
                                            version=1 + len(PATHS[status])))
                walks.append(PATHS[status])
        Enrolment.objects.bulk_create(enrolments, batch_size=500)
        changes, entries = [], []
        for enrolment, walk in zip(enrolments, walks):
            household_id, sensitive = enrolment.household.pk, enrolment.programme.sensitive
            changes.append(EnrolmentStatusChange(enrolment=enrolment, from_status="", to_status="applied",
                                                 actor=admin))
            entries.append(entry(admin, A.CREATE, enrolment, household_id=household_id, sensitive=sensitive,
                                 changes={"programme": [None, enrolment.programme.code], "status": [None, "applied"]},
                                 via=via))
            for before, step in zip(["applied", *walk], walk):
                reason = REASONS.get(step, "")
                changes.append(EnrolmentStatusChange(enrolment=enrolment, from_status=before, to_status=step,
                                                     actor=admin, reason=reason))
                entries.append(entry(admin, A.TRANSITION, enrolment, changes={"status": [before, step]},
                                     household_id=household_id, sensitive=sensitive, reason=reason, via=via))
        EnrolmentStatusChange.objects.bulk_create(changes, batch_size=500)
        record_many(entries)
        self.created["households"] += len(households)
        self.created["persons"] += len(people)


# Assistance, activities and community projects ------------------------------------------------

DONE = ("assisted", "monitored", "closed")
CONTRACTORS = ["Ndërtimi Klina Sh.p.k.", "Kosova Build L.L.C.", "Dardania Construction", "Građevinar Gora d.o.o.",
               "Lipjan Ndërtim", "Eurobau Kosova"]
PRODUCTION = [("Wood processing workshop: doors, windows and furniture", [("Circular saw", 1, 900),
                                                                          ("Planer", 1, 700), ("Hand tools", 1, 250)]),
              ("Metal processing workshop: gates, fences and railings", [("Welding machine", 1, 850),
                                                                         ("Angle grinder", 2, 150)]),
              ("Craftsmanship: traditional filigree and copper ware", [("Workbench and tools", 1, 1100)])]
SERVICE = [("Locksmith services", [("Key cutting machine", 1, 1200), ("Locksmith tool set", 1, 400)]),
           ("Construction services: masonry and plastering", [("Concrete mixer", 1, 1300), ("Scaffolding", 1, 600)]),
           ("Car wash", [("Pressure washer", 2, 450), ("Vacuum cleaner", 1, 300)]),
           ("Tailoring", [("Sewing machine", 2, 380), ("Overlock machine", 1, 520)]),
           ("Hairdresser", [("Salon chair", 2, 300), ("Dryers and tools", 1, 450)]),
           ("Collection and recycling of scrap metal", [("Used van", 1, 2500)])]
AGRICULTURE = [("Poultry farm", [("Laying hens", 200, 5), ("Coop material", 1, 900)]),
               ("Milk production", [("Dairy cow", 2, 1100)]),
               ("Greenhouse vegetables", [("Greenhouse 200 m²", 1, 1900)])]
COURSES = [("Welding", "Vocational Training Centre Prishtinë", 240), ("Computer skills (ICDL)", "ICT Academy", 80),
           ("Hairdressing", "Vocational Training Centre Pejë", 200), ("Car mechanics", "Auto Servis Mitrovica", 320),
           ("Cooking and catering", "Hotel school Prizren", 160)]
EMPLOYERS = ["Kosovo Telecom call centre", "Bau Market Prishtinë", "Elkos Group", "Dukagjini Hospital",
             "Sharri Dairy", "Auto Servis Mitrovica"]


# The seeds' figures that the assistance below is drawn to reach exactly.
RRK_HOUSES = 377
# When each RRK phase started building: every house handed over before RRK VI began (1 April 2024).
RRK_WINDOWS = {"RRK-I": (D(2018, 3, 1), D(2019, 6, 30)), "RRK-II": (D(2019, 3, 1), D(2020, 6, 30)),
               "RRK-III": (D(2020, 3, 1), D(2021, 6, 30)), "RRK-IV": (D(2021, 3, 1), D(2022, 6, 30)),
               "RRK-V": (D(2022, 3, 1), D(2023, 6, 30))}
UK_DIRECT = 55
CT_PROJECTS = 3  # of the 11 cases; the other 8 had direct assistance
CT_PLANS = [("agriculture", "Poultry farm", [("Laying hens", 200, 5), ("Coop material", 1, 900)]),
            ("agriculture", "Milk production", [("Dairy cow", 2, 1100)]),
            ("service", "Small coffee shop", [("Espresso machine", 1, 1400), ("Tables and chairs", 1, 600)]),
            ("production", "Bakery and cookies", [("Oven", 1, 1800), ("Dough mixer", 1, 700)])]
SMP_TO_BOSNIA = 17  # of 86 evacuations; 69 went to Sweden
SR_BUSINESS, SR_VOCATIONAL = 74, 30
MIGDIA_ECONOMIC, MIGDIA_SOFT_SKILLS, MIGDIA_PLACEMENTS, MIGDIA_GRAPHIC = 303, 273, 70, 51


def _head(household):
    return next(m for m in household.members.all() if m.relationship == "head")


def _rng(code):
    # Each programme draws from its own stream: loading one never shifts what another draws.
    return random.Random(f"{SEED}-{code}")


def _money(value):
    return Decimal(value).quantize(Decimal("0.01"))


class AssistanceLoader:
    """What the seed programmes delivered, drawn on the demo households, and their activities and
    community projects. Writes go through assistance.kinds and activities.actions as the demo admin.
    A programme with deliveries already is skipped; activities and projects are keyed by
    programme and title; so a second run adds nothing."""

    def __init__(self, admin, created, groups=None):
        from assistance.models import AssistanceType, Delivery

        self.admin, self.created = admin, created
        self.groups = {name: set(refs) for name, refs in (groups or {}).items()}
        self.types = {t.code: t for t in AssistanceType.objects.all()}
        self.programmes = {p.code: p for p in Programme.objects.all()}
        self.orgs = {str(o): o for o in Organisation.objects.all()}
        self.loaded = set(Delivery.objects.values_list("programme__code", flat=True).distinct())
        self.sheltered = set(Delivery.objects.filter(type__category="shelter").exclude(status="cancelled")
                             .values_list("household_id", flat=True))

    def run(self):
        for code, load in [("EAR-RAE-KLINA", self.ear_klina), ("UK-VARRP", self.uk_varrp),
                           ("KPC-PILOT", self.kpc_pilot), ("CT-IGS", self.counter_trafficking),
                           ("SMP", self.swedish_medical), ("SR-ODRZIVI", self.serbia_return),
                           ("RRK-I", self.rrk_phases), ("RRK-VI", self.rrk6), ("MIGDIA", self.migdia)]:
            if code not in self.loaded:
                load(code, _rng(code))
        self.activities()
        self.projects()

    # Helpers

    def households(self, code, statuses=DONE, limit=None):
        from django.db.models import Case, IntegerField, Value, When

        order = Case(*[When(enrolments__status=s, then=Value(i)) for i, s in enumerate(statuses)],
                     output_field=IntegerField())
        qs = (Household.objects.filter(ref__startswith="DEMO-", enrolments__programme__code=code,
                                       enrolments__status__in=statuses)
              .annotate(rank=order).order_by("rank", "ref").prefetch_related("members"))
        return list(qs[:limit] if limit else qs)

    def adult(self, household, rng):
        adults = [m for m in household.members.all() if m.birth_year and TODAY.year - m.birth_year >= 18]
        head = next((m for m in adults if m.relationship == "head"), None)
        return head if head and (len(adults) == 1 or rng.random() < 0.6) else (rng.choice(adults) if adults else None)

    def deliver(self, code, type_code, date, *, household=None, person=None, status="delivered", value=None,
                quantity=1, partner="IOM", detail=None, notes=""):
        from assistance.kinds import record_assistance

        delivery, _warnings = record_assistance(
            acting_user=self.admin, via="command", programme=self.programmes[code], type=self.types[type_code],
            household=household, person=person, date=date, status=status, quantity=quantity,
            value_eur=_money(value) if value is not None else None, partner=self.orgs.get(partner), notes=notes,
            detail=detail)
        self.created["deliveries"] += 1
        if self.types[type_code].category == "shelter":
            self.sheltered.add(delivery.household_id)
        return delivery

    def milestones(self, delivery, start, count, rng, step=(20, 40)):
        """The first `count` milestones of a new house, in order and dated forward: the rows and
        audit entries assistance.kinds.add_milestone writes, in one batch (one by one, the
        houses of RRK took most of the load)."""
        from assistance.models import MILESTONE_ORDER, HouseDetail, HouseMilestone

        house = HouseDetail.objects.get(delivery=delivery)
        sensitive = delivery.type.sensitive or delivery.programme.sensitive
        day, rows, entries, latest = start, [], [], None
        for milestone in MILESTONE_ORDER[:count]:
            rows.append(HouseMilestone(house=house, milestone=milestone, date=day, recorded_by=self.admin))
            entries.append(entry(self.admin, AuditEntry.Action.TRANSITION, house, household_id=delivery.household_id,
                                 changes={"milestone": [latest, milestone.value], "date": [None, str(day)]},
                                 sensitive=sensitive, via="command"))
            latest = milestone.value
            day += datetime.timedelta(days=rng.randint(*step))
        HouseMilestone.objects.bulk_create(rows)
        record_many(entries)

    def grant(self, code, household, date, rng, choices, sector, follow_ups=1):
        from assistance.kinds import add_follow_up
        from assistance.models import IncomeGrantDetail

        plan, lines = rng.choice(choices)
        equipment = [{"item": item, "quantity": qty, "value_eur": str(_money(value * rng.uniform(0.9, 1.15)))}
                     for item, qty, value in lines]
        total = sum(Decimal(e["value_eur"]) * e["quantity"] for e in equipment)
        delivery = self.deliver(code, "income_generation_grant", date, household=household, value=total,
                                detail={"business_plan": plan, "sector": sector, "equipment": equipment})
        grant = IncomeGrantDetail.objects.get(delivery=delivery)
        visit = date
        for _ in range(follow_ups):
            visit += datetime.timedelta(days=rng.randint(90, 200))
            status = rng.choices(["operating", "changed", "closed"], [8, 1, 1])[0]
            add_follow_up(grant, status, visit, acting_user=self.admin, via="command",
                          note="Visited the business; books and stock checked.")
        return delivery

    def training(self, code, person, date, rng, course=None):
        course, provider, hours = course or rng.choice(COURSES)
        end = date + datetime.timedelta(days=hours // 4)
        completed = rng.random() < 0.85
        type_code = "business_training" if "business" in course.lower() else "vocational_training"
        return self.deliver(code, type_code, date, person=person, value=rng.randint(300, 700),
                            detail={"course": course, "provider": provider, "start_date": date, "end_date": end,
                                    "hours": hours, "completed": completed, "certificate": completed})

    def placement(self, code, person, date, rng):
        months = rng.choice([3, 6, 6, 12])
        monthly = rng.choice([150, 200, 250])
        return self.deliver(code, "job_placement", date, person=person, value=months * monthly,
                            detail={"employer": rng.choice(EMPLOYERS), "start_date": date, "subsidy_months": months,
                                    "monthly_amount_eur": monthly})

    def day_in(self, rng, start, end):
        return start + datetime.timedelta(days=rng.randint(0, (end - start).days))

    # Programmes

    def ear_klina(self, code, rng):
        """30 houses reconstructed for 30 families who moved in; 30 income-generation projects (ten
        production, 20 service); return packages and transport."""
        from programmes.actions import transition
        from programmes.models import Enrolment

        families = self.households(code, DONE + ("applied",), limit=30)
        for household in families:
            enrolment = Enrolment.objects.get(household=household, programme__code=code)
            if enrolment.status == "applied":
                # The programme assisted 30 families: those still waiting in the draw are walked
                # along the allowed transitions, like any other case.
                for step in PATHS["assisted"]:
                    transition(enrolment, step, acting_user=self.admin, via="command")
        for i, household in enumerate(families):
            arrival = self.day_in(rng, D(2007, 2, 1), D(2007, 4, 30))
            self.deliver(code, "transport", arrival, household=household, value=rng.randint(120, 260))
            self.deliver(code, "return_package", arrival, household=household, value=rng.randint(350, 450))
            if household.pk not in self.sheltered:
                cost = rng.randint(16, 22) * 1000
                house = self.deliver(code, "house_reconstruction", arrival, household=household, value=cost,
                                     detail={"municipality": "M18", "site": household.current_place or "Klinë",
                                             "contractor": rng.choice(CONTRACTORS[:3]), "cost_eur": cost})
                self.milestones(house, arrival + datetime.timedelta(days=7), 8, rng, step=(18, 32))
            production = i < 10
            self.grant(code, household, self.day_in(rng, D(2007, 6, 1), D(2007, 10, 31)), rng,
                       PRODUCTION if production else SERVICE, "production" if production else "service",
                       follow_ups=rng.choice([1, 2]))

    def rrk_phases(self, code, rng):
        """RRK I-V: the 377 houses built since 11 November 2017, each handed over before RRK VI began
        on 1 April 2024; families of the phases who already had a house got a harmonized package."""
        built = 0
        for phase, (first, last) in RRK_WINDOWS.items():
            for household in self.households(phase):
                start = self.day_in(rng, first, last)
                if built < RRK_HOUSES and household.pk not in self.sheltered:
                    kind = rng.choice(["house_construction", "house_reconstruction"])
                    cost = rng.randint(20, 28) * 1000
                    place = (household.current_municipality or household.origin_municipality).code
                    house = self.deliver(phase, kind, start, household=household, value=cost, partner="MCR",
                                         detail={"municipality": place, "site": household.current_place or "",
                                                 "contractor": rng.choice(CONTRACTORS), "cost_eur": cost})
                    self.milestones(house, start, 8, rng, step=(20, 40))
                    built += 1
                else:
                    self.deliver(phase, "harmonized_package", start, household=household, value=1_150,
                                 partner="MCR")
        if built != RRK_HOUSES:
            raise RuntimeError(f"RRK I-V built {built} houses, not {RRK_HOUSES}: draw more rrk_ households.")

    def rrk6(self, code, rng):
        """The 7 families of the first RRK VI houses (finished, moved in); the other houses under
        way; harmonized packages."""
        first = self.groups.get("rrk6_dragash", set()) | self.groups.get("rrk6_lipjan", set())
        for household in self.households(code, ("monitored", "assisted", "selected")):
            done = household.enrolments.get(programme__code=code).status in ("assisted", "monitored")
            start = self.day_in(rng, D(2024, 4, 15), D(2024, 7, 31))
            if household.pk not in self.sheltered:
                built = household.ref in first
                place = household.current_municipality.code if household.current_municipality_id else "M24"
                house = self.deliver(code, "house_construction", start, household=household,
                                     status="delivered" if built else "planned", value=27_500,
                                     detail={"municipality": place, "site": household.current_place or "",
                                             "contractor": rng.choice(CONTRACTORS[2:]), "cost_eur": 27_500})
                self.milestones(house, start, 8 if built else rng.randint(3, 5), rng, step=(25, 40))
            self.deliver(code, "harmonized_package", start + datetime.timedelta(days=rng.randint(200, 300)),
                         household=household, status="delivered" if done else "planned", value=1_150,
                         partner="MCR")

    def uk_varrp(self, code, rng):
        """26 projects in 2007: grants to 4 small families (every member benefits), on-the-job
        training with salary subsidies for one member of each of 22 families, and vocational
        training for more members until 55 people benefit directly; their 95 relatives indirectly."""
        families = self.households(code)
        direct, others = 0, []
        for household in families:
            members = sorted(household.members.all(), key=lambda m: (m.birth_year or 3000, m.pk))
            start = self.day_in(rng, D(2007, 2, 1), D(2007, 9, 30))
            if len(members) <= 2:
                self.grant(code, household, start, rng, AGRICULTURE + SERVICE[1:2],
                           rng.choice(["agriculture", "service"]))
                direct += len(members)
                continue
            self.placement(code, members[0], start + datetime.timedelta(days=30), rng)
            direct += 1
            others.append((start, members[1:]))
        # Round by round, the next oldest member of each family joins a course.
        for round_ in range(8):
            for start, members in others:
                if direct < UK_DIRECT and round_ < len(members) and (members[round_].birth_year or 3000) <= 1992:
                    self.training(code, members[round_], start + datetime.timedelta(days=14), rng)
                    direct += 1
        if direct != UK_DIRECT:
            raise RuntimeError(f"UK-VARRP reaches {direct} people directly, not {UK_DIRECT}.")

    def kpc_pilot(self, code, rng):
        """Basic business skills for every separated member; vocational training and placements for some."""
        for household in self.households(code):
            person = next((m for m in household.members.all() if m.relationship == "head"), None)
            if person is None:
                continue
            start = self.day_in(rng, D(2007, 1, 15), D(2007, 5, 31))
            self.training(code, person, start, rng, course=("Basic business skills", "IOM", 40))
            if rng.random() < 0.5:
                self.training(code, person, start + datetime.timedelta(days=20), rng)
            if rng.random() < 0.4:
                self.placement(code, person, start + datetime.timedelta(days=60), rng)

    def counter_trafficking(self, code, rng):
        """Psychosocial support and referrals (sensitive); income-generating support for 11 cases:
        3 through income-generating projects (grants), 8 through direct assistance (cash); one
        hairdressing course."""
        from assistance.kinds import change_referral_status
        from assistance.models import ReferralDetail

        for i, household in enumerate(self.households(code)):
            survivor = next(m for m in household.members.all() if m.relationship == "head")
            start = self.day_in(rng, D(2007, 1, 15), D(2007, 6, 30))
            self.deliver(code, "psychosocial_support", start, person=survivor, quantity=rng.randint(6, 12),
                         value=rng.randint(300, 600), partner="Institute of Psychology UP")
            referral = self.deliver(code, "referral", start + datetime.timedelta(days=10), person=survivor,
                                    detail={"to": rng.choice(["Centre for Social Work", "Regional hospital",
                                                              "Vocational Training Centre"]),
                                            "reason": "Needs support beyond what the programme offers.",
                                            "consent": True})
            detail = ReferralDetail.objects.get(delivery=referral)
            if rng.random() < 0.8:
                change_referral_status(detail, "accepted", start + datetime.timedelta(days=14),
                                       acting_user=self.admin, via="command")
                if rng.random() < 0.7:
                    change_referral_status(detail, "completed", start + datetime.timedelta(days=60),
                                           outcome="Services received.", acting_user=self.admin, via="command")
            support = start + datetime.timedelta(days=90)
            if i < CT_PROJECTS:
                plan = CT_PLANS[i % len(CT_PLANS)]
                self.grant(code, household, support, rng, [plan[1:]], plan[0])
            else:
                purpose = CT_PLANS[i % len(CT_PLANS)][1]
                self.deliver(code, "cash_grant", support, household=household, value=rng.randint(8, 15) * 100,
                             notes=f"Direct assistance: {purpose.lower()}.")
            if i == CT_PROJECTS:
                self.training(code, survivor, support + datetime.timedelta(days=30), rng,
                              course=("Hairdressing", "Vocational Training Centre Pejë", 200))

    def swedish_medical(self, code, rng):
        """Since 2000: 86 evacuations (69 to Sweden, 17 to Bosnia and Herzegovina); cases being
        assessed wait for medical assistance in Kosovo (sensitive)."""
        from registry.models import PersonVulnerability

        ill = set(PersonVulnerability.objects.filter(category__code="medical_condition").values_list("person_id",
                                                                                                      flat=True))
        evacuated = self.households(code)
        to_bosnia = set(rng.sample(range(len(evacuated)), min(SMP_TO_BOSNIA, len(evacuated))))
        for i, household in enumerate(evacuated):
            patient = next((m for m in household.members.all() if m.pk in ill), household.members.all()[0])
            self.deliver(code, "medical_evacuation", self.day_in(rng, D(2000, 3, 1), D(2007, 11, 30)), person=patient,
                         value=rng.randint(4, 9) * 1000, partner="Sida",
                         detail={"destination_country": "BA" if i in to_bosnia else "SE",
                                 "facility": "Clinical Centre Sarajevo" if i in to_bosnia
                                 else "Karolinska University Hospital"})
        for household in self.households(code, ("selected", "eligible")):
            patient = next((m for m in household.members.all() if m.pk in ill), household.members.all()[0])
            self.deliver(code, "medical_assistance", self.day_in(rng, D(2025, 1, 1), D(2025, 5, 31)),
                         person=patient, status="planned", value=rng.randint(5, 15) * 100,
                         detail={"facility": "University Clinical Centre of Kosovo"})

    def serbia_return(self, code, rng):
        """Transport and return packages for 30 families (108 people); equipment grants for 104
        families (216 people), vocational courses for 30 and business training (with mentoring)
        for 74 of their members; the cases still in the pipeline have planned help."""
        returning, equipped = self.groups.get("sr_return", set()), self.groups.get("sr_grants", set())
        grantees = []
        for household in self.households(code):
            when = self.day_in(rng, D(2024, 5, 1), D(2025, 5, 31))
            if household.ref in returning:
                self.deliver(code, "transport", when, household=household, value=rng.randint(250, 400),
                             partner="Božur")
                self.deliver(code, "return_package", when, household=household, value=rng.randint(600, 800),
                             partner=rng.choice(["Božur", "Sveti Spas"]))
            elif household.ref in equipped:
                sector = rng.choice(["agriculture", "agriculture", "service", "production"])
                choices = {"agriculture": AGRICULTURE, "service": SERVICE, "production": PRODUCTION}[sector]
                self.grant(code, household, when, rng, choices, sector)
                grantees.append((when, household))
        business = [_head(h) for _when, h in grantees[:SR_BUSINESS]]
        adults = [m for _when, h in grantees for m in h.members.all()
                  if m.relationship != "head" and TODAY.year - m.birth_year >= 18]
        heads = [_head(h) for _when, h in grantees[SR_BUSINESS:]]
        for i, (person, (when, _h)) in enumerate(zip(business, grantees)):
            start = when - datetime.timedelta(days=60)
            self.training(code, person, start, rng, course=("Business start-up and bookkeeping", "Božur", 48))
            if i % 2 == 0:
                self.deliver(code, "mentoring", start + datetime.timedelta(days=30), person=person, quantity=4,
                             partner="Sveti Spas", detail={"course": "Business mentoring", "provider": "Sveti Spas",
                                                           "hours": 16, "completed": True})
        vocational = (adults + heads)[:SR_VOCATIONAL]
        if len(business) != SR_BUSINESS or len(vocational) != SR_VOCATIONAL:
            raise RuntimeError("SR-ODRZIVI: too few members for the courses.")
        for person in vocational:
            self.training(code, person, self.day_in(rng, D(2024, 6, 1), D(2024, 12, 31)), rng,
                          course=rng.choice([("Welding", "Tehnička škola Kragujevac", 240),
                                             ("Greenhouse growing", "Poljoprivredna škola Kraljevo", 120),
                                             ("Tailoring", "Božur", 160), ("Plumbing", "Sveti Spas", 200)]))
        for household in self.households(code, ("selected", "eligible", "assessed"), limit=30):
            when = self.day_in(rng, D(2025, 6, 1), D(2025, 9, 30))
            self.deliver(code, "transport", when, household=household, status="planned",
                         value=rng.randint(250, 400), partner="Božur")
            self.deliver(code, "return_package", when, household=household, status="planned",
                         value=rng.randint(600, 800), partner=rng.choice(["Božur", "Sveti Spas"]))

    def migdia(self, code, rng):
        """Economic integration of 303 repatriated persons (D&D): soft skills for 273, subsidized
        job placements for 70 (40 of them after soft skills); language courses for 73 refugees."""
        returnees = self.groups.get("migdia_returnees", set())
        people = []
        for household in self.households(code, ("assisted",)):
            members = list(household.members.all())
            if household.ref in returnees:
                people += [m for m in members if 18 <= TODAY.year - m.birth_year < 60][:3]
            else:
                for m in members:
                    self.deliver(code, "language_course", self.day_in(rng, D(2024, 2, 1), D(2025, 3, 31)),
                                 person=m, partner="JRS Kosova", value=rng.randint(150, 250),
                                 detail={"course": "Albanian language and integration" if m.birth_year < 2011
                                         else "Abacus and Albanian for children", "provider": "JRS Kosova",
                                         "hours": 60, "completed": rng.random() < 0.9})
        people = people[:MIGDIA_ECONOMIC]
        if len(people) != MIGDIA_ECONOMIC:
            raise RuntimeError(f"MIGDIA: {len(people)} working-age returnees, not {MIGDIA_ECONOMIC}.")
        soft_only = MIGDIA_ECONOMIC - MIGDIA_PLACEMENTS
        for i, person in enumerate(people):
            when = self.day_in(rng, D(2023, 9, 1), D(2025, 2, 28))
            if i < MIGDIA_SOFT_SKILLS:
                self.deliver(code, "vocational_training", when, person=person, partner="D&D",
                             value=rng.randint(120, 200),
                             detail={"course": "Soft skills for employment", "provider": "D&D Business Support Centre",
                                     "hours": 24, "completed": True, "certificate": rng.random() < 0.8})
            if i >= soft_only:
                self.placement(code, person, when + datetime.timedelta(days=45), rng)
        self.youth_centre(code, rng, returnees)

    def youth_centre(self, code, rng, returnees):
        """"Youth development as a reintegration technique": 51 young people in graphic design
        courses (basic, then advanced for some) at the Youth Center in Obiliq."""
        from activities.actions import create_activity
        from activities.models import Activity

        youth = [m for h in self.households(code, ("assisted",)) if h.ref in returnees
                 for m in h.members.all() if 15 <= 2024 - m.birth_year <= 29]
        if len(youth) < MIGDIA_GRAPHIC:
            raise RuntimeError(f"MIGDIA: {len(youth)} young people, not {MIGDIA_GRAPHIC}.")
        basic, advanced = youth[:35], youth[24:MIGDIA_GRAPHIC]
        for title, start, people, anonymous in [("Graphic design: basic course", D(2024, 3, 4), basic, (2, 1)),
                                                ("Graphic design: advanced course", D(2024, 6, 3), advanced, (1, 1))]:
            activity = Activity(type="training", title=title, date=start, end_date=start + datetime.timedelta(days=39),
                                programme=self.programmes[code], municipality=Municipality.objects.get(code="M06"),
                                venue="Youth Center Obiliq", sector="ict", participants_female=anonymous[0],
                                participants_male=anonymous[1], organiser=self.orgs.get("IOM"),
                                notes="Anonymous participants: young people of Obiliq outside the registry.")
            create_activity(activity, attendees=[p.pk for p in people], acting_user=self.admin, via="command")
            self.created["activities"] += 1

    # Activities and projects

    ACTIVITIES = [
        # programme, type, title, start, days, municipality, country, venue, sector, participants by sex
        # (F, M) and by kind (official, community, business, other)
        ("MIGDIA", "conference", "Diaspora investment conference", D(2024, 9, 12), 2, "M01", None, "Prishtinë",
         "migration", (38, 52), (30, 20, 40, 0)),
        ("MIGDIA", "study_visit", "Study visit on municipal reintegration offices", D(2024, 5, 20), 4, None, "SE",
         "Malmö", "governance", (6, 8), (14, 0, 0, 0)),
        ("MIGDIA", "b2b_meeting", "B2B meeting: diaspora entrepreneurs in wood processing", D(2024, 11, 5), 1, "M16",
         None, "Pejë", "wood_processing", (4, 17), (2, 0, 19, 0)),
        ("MIGDIA", "b2b_meeting", "B2B meeting: ICT outsourcing", D(2025, 2, 18), 1, "M01", None, "ICT Hub Prishtinë",
         "ict", (11, 14), (1, 0, 24, 0)),
        ("MIGDIA", "workshop", "Municipal action plans for reintegration", D(2025, 3, 11), 1, "M19", None, "Gjakovë",
         "migration", (9, 12), (16, 5, 0, 0)),
        ("SR-ODRZIVI", "information_meeting", "Informativni sastanak o povratku", D(2024, 4, 16), 1, None, "RS",
         "Kragujevac", "migration", (23, 31), (3, 51, 0, 0)),
        ("SR-ODRZIVI", "information_meeting", "Informativni sastanak, Kraljevo", D(2024, 4, 23), 1, None, "RS",
         "Kolektivni centar Kraljevo, Ribnica", "migration", (17, 20), (2, 35, 0, 0)),
        ("SR-ODRZIVI", "go_and_see_visit", "Go-and-see visit to Klinë/Klina villages", D(2024, 6, 4), 2, "M18", None,
         "Grabac, Drsnik", "migration", (8, 14), (2, 20, 0, 0)),
        ("SR-ODRZIVI", "go_and_see_visit", "Go-and-see visit to Osojane", D(2024, 9, 10), 1, "M17", None, "Osojane",
         "migration", (6, 9), (1, 14, 0, 0)),
        ("MIGDIA", "study_visit", "Study visit on migration management", D(2024, 10, 7), 4, None, "NL", "The Hague",
         "governance", (5, 7), (12, 0, 0, 0)),
        ("MIGDIA", "study_visit", "Study visit on reintegration counselling", D(2025, 4, 14), 4, None, "CH", "Bern",
         "governance", (7, 6), (13, 0, 0, 0)),
        ("MIGDIA", "forum", "First National Forum on Reintegration and Integration", D(2024, 12, 10), 1, "M01",
         None, "Prishtinë", "migration", (64, 71), (95, 30, 10, 0)),
        *[("MIGDIA", "b2b_meeting", f"B2B meeting: {title}", day, 1, municipality, country, venue, sector,
           (female, total - female), (2, 0, total - 2, 0))
          for title, day, municipality, country, venue, sector, female, total in [
              ("diaspora textile producers", D(2024, 4, 18), "M19", None, "Gjakovë", "textile", 21, 52),
              ("food and drink processing", D(2024, 6, 6), "M27", None, "Suharekë", "food_processing", 19, 61),
              ("Kosovo ICT in Switzerland", D(2024, 7, 12), None, "CH", "Lausanne", "ict", 15, 48),
              ("wood processing in Germany", D(2024, 8, 30), None, "DE", "Stuttgart", "wood_processing", 9, 55),
              ("diaspora investors in Ferizaj", D(2024, 10, 24), "M28", None, "Ferizaj", "food_processing", 18, 57),
              ("textile sourcing", D(2025, 1, 23), "M16", None, "Pejë", "textile", 24, 50),
              ("ICT start-ups and diaspora mentors", D(2025, 3, 27), "M01", None, "Prishtinë", "ict", 22, 59),
              ("furniture exporters", D(2025, 5, 15), "M05", None, "Fushë Kosovë", "wood_processing", 12, 52)]],
        *[("SR-ODRZIVI", kind, title, day, 1, municipality, country, venue, "migration", (female, male),
           (2, female + male - 2, 0, 0))
          for kind, title, day, municipality, country, venue, female, male in [
              ("information_meeting", "Informativni sastanak, Vranje", D(2024, 5, 7), None, "RS",
               "Kolektivni centar Vranje", 14, 19),
              ("information_meeting", "Informativni sastanak, Niš", D(2024, 5, 21), None, "RS", "Niš, Medoševac",
               11, 16),
              ("information_meeting", "Informativni sastanak, Kruševac", D(2024, 6, 11), None, "RS", "Kruševac", 9,
               13),
              ("information_meeting", "Informativni sastanak, Smederevo", D(2024, 9, 17), None, "RS", "Smederevo",
               8, 12),
              ("information_meeting", "Informativni sastanak, Kragujevac (2)", D(2024, 11, 5), None, "RS",
               "Kragujevac", 19, 24),
              ("information_meeting", "Informativni sastanak, Kraljevo (2)", D(2025, 2, 18), None, "RS", "Kraljevo",
               12, 15),
              ("public_presentation", "Javna prezentacija projekta, Kragujevac", D(2024, 3, 28), None, "RS",
               "Skupština grada Kragujevca", 22, 26),
              ("public_presentation", "Javna prezentacija, Kraljevo", D(2024, 4, 9), None, "RS", "Kraljevo", 15, 18),
              ("public_presentation", "Javna prezentacija, Vranje", D(2024, 10, 1), None, "RS", "Vranje", 13, 17),
              ("public_presentation", "Javna prezentacija, Niš", D(2025, 1, 28), None, "RS", "Niš", 17, 21),
              ("public_presentation", "Javna prezentacija rezultata", D(2025, 5, 27), None, "RS", "Beograd", 25, 29),
              ("go_and_see_visit", "Go-and-see visit to Pejë/Peć villages", D(2024, 6, 18), "M16", None,
               "Goraždevac", 5, 9),
              ("go_and_see_visit", "Go-and-see visit to Istog/Istok", D(2024, 7, 2), "M17", None, "Žač", 4, 8),
              ("go_and_see_visit", "Go-and-see visit to Prizren", D(2024, 7, 16), "M23", None, "Sredska", 6, 7),
              ("go_and_see_visit", "Go-and-see visit to Rahovec/Orahovac", D(2024, 8, 6), "M22", None,
               "Velika Hoča", 5, 10),
              ("go_and_see_visit", "Go-and-see visit to Gjakovë/Đakovica", D(2024, 8, 27), "M19", None, "Đakovica",
               3, 6),
              ("go_and_see_visit", "Go-and-see visit to Klinë/Klina (2)", D(2024, 9, 24), "M18", None, "Vidanje", 6,
               11),
              ("go_and_see_visit", "Go-and-see visit to Lipjan/Lipljan", D(2024, 10, 15), "M04", None, "Lipljan", 7,
               9),
              ("go_and_see_visit", "Go-and-see visit to Prishtinë/Priština", D(2025, 3, 11), "M01", None,
               "Priština", 4, 7),
              ("go_and_see_visit", "Go-and-see visit to Pejë/Peć (2)", D(2025, 4, 8), "M16", None, "Belo Polje", 5,
               8),
              ("go_and_see_visit", "Go-and-see visit to Osojane (2)", D(2025, 5, 13), "M17", None, "Osojane", 6, 9),
              ("round_table", "Okrugli sto: uslovi za održivi povratak", D(2024, 6, 25), None, "RS", "Kragujevac",
               12, 14),
              ("round_table", "Okrugli sto: zapošljavanje povratnika", D(2024, 12, 3), None, "RS", "Kraljevo", 10,
               11),
              ("round_table", "Radionica: imovinska prava i dokumenta", D(2025, 4, 22), None, "RS", "Niš", 9, 13)]],
        # SMP: Kosovo health professionals trained in Sweden (40 in all), not in the registry.
        *[("SMP", "training", title, day, 10, None, "SE", venue, "health", (female, male), (female + male, 0, 0, 0))
          for title, day, venue, female, male in [
              ("Medical training in Sweden: anaesthesia", D(2001, 4, 9), "Karolinska University Hospital", 5, 3),
              ("Medical training in Sweden: paediatric surgery", D(2003, 9, 15), "Uppsala University Hospital", 4, 4),
              ("Medical training in Sweden: intensive care nursing", D(2004, 3, 8), "Sahlgrenska University Hospital",
               6, 2),
              ("Medical training in Sweden: orthopaedics", D(2006, 10, 2), "Skåne University Hospital", 3, 5),
              ("Medical training in Sweden: cardiology", D(2007, 5, 14), "Karolinska University Hospital", 4, 4)]],
        ("HU-AVRR", "conference", "Improving reintegration assistance: international conference", D(2014, 10, 21), 2,
         "M01", None, "Prishtinë", "migration", (27, 33), (42, 8, 0, 10)),
        ("RRK-VI", "information_meeting", "RRK VI information session for beneficiaries", D(2024, 4, 25), 1, "M24",
         None, "Dragash", "migration", (12, 19), (4, 27, 0, 0)),
    ]

    def activities(self):
        from activities.actions import create_activity
        from activities.models import Activity

        countries = {c.code: c for c in Country.objects.all()}
        municipalities = {m.code: m for m in Municipality.objects.all()}
        rng = _rng("activities")
        for (code, kind, title, start, days, municipality, country, venue, sector, by_sex,
             by_kind) in self.ACTIVITIES:
            programme = self.programmes[code]
            if Activity.objects.filter(programme=programme, title=title).exists():
                continue
            activity = Activity(
                type=kind, title=title, date=start, end_date=start + datetime.timedelta(days=days - 1) if days > 1
                else None, programme=programme, municipality=municipalities.get(municipality),
                country=countries.get(country), venue=venue, sector=sector, participants_female=by_sex[0],
                participants_male=by_sex[1], participants_official=by_kind[0], participants_community=by_kind[1],
                participants_business=by_kind[2], participants_other=by_kind[3],
                organiser=self.orgs.get("IOM"))
            # A few registered attendees from the programme's own families; conferences, business
            # meetings, forums and professional trainings are counted by their participants only.
            attendees = []
            if kind not in ("conference", "b2b_meeting", "forum", "training"):
                people = [h.members.all()[0].pk for h in self.households(code, DONE + ("selected", "eligible"))]
                attendees = rng.sample(people, min(len(people), rng.randint(2, 6)))
            create_activity(activity, attendees=attendees, acting_user=self.admin, via="command")
            self.created["activities"] += 1

    PROJECTS = [
        # programme, type, title, municipality, settlement, cost, catchment, final status
        ("SR-ODRZIVI", "road", "Road repair Grabac – Drsnik", "M18", "Grabac", 85_000, 900, "in_progress"),
        ("SR-ODRZIVI", "water_supply", "Water supply for Osojane", "M17", "Osojane", 62_000, 650, "completed"),
        ("RRK-VI", "public_lighting", "Public lighting in Brod", "M24", "Brod", 18_000, 1_400, "completed"),
        ("RRK-VI", "youth_centre", "Youth centre in Restelicë", "M24", "Restelicë", 45_000, 2_100, "planned"),
        ("RRK-V", "riverbed", "Riverbed regulation in Janjevë", "M04", "Janjevë", 38_000, 3_000, "completed"),
        ("KPC-TF", "clinic", "Family medicine clinic in Dollc", "M18", "Dollc", 60_000, 1_800, "completed"),
        ("KPC-TF", "clinic", "Clinic in Mlikë", "M24", "Mlikë", 58_000, 1_200, "completed"),
        ("KPC-TF", "clinic", "Clinic in Magurë", "M04", "Magurë", 57_000, 2_400, "completed"),
        ("KPC-TF", "sewage", "Sewage system in Zllakuqan", "M18", "Zllakuqan", 74_000, 1_100, "completed"),
        ("KPC-TF", "bridge", "Bridge over the Drini i Bardhë at Grabanicë", "M18", "Grabanicë", 90_000, 700,
         "completed"),
        ("KPC-TF", "bridge", "Footbridge in Krushevë", "M24", "Krushevë", 25_000, 500, "completed"),
        ("KPC-TF", "school", "Primary school in Rudicë", "M18", "Rudicë", 120_000, 400, "completed"),
        ("KPC-TF", "school", "Primary school in Zlipotok", "M24", "Zlipotok", 110_000, 350, "completed"),
        ("KPC-TF", "school", "School extension in Gadime", "M04", "Gadime", 80_000, 600, "completed"),
        ("KPC-TF", "school", "Primary school in Radeshë", "M24", "Radeshë", 95_000, 300, "cancelled"),
        ("KPC-TF", "school", "Primary school in Kukaljan", "M24", "Kukaljan", 88_000, 320, "completed"),
        # RRK I-V: with the riverbed in Janjevë, the 20 community and infrastructure projects
        # completed since 11 November 2017 (COMPLETED_ON).
        ("RRK-I", "community_event", "Multi-ethnic cultural festival in Klinë", "M18", "Klinë", 8_000, 2_500,
         "completed"),
        ("RRK-I", "road", "Road to Grabac", "M18", "Grabac", 72_000, 600, "completed"),
        ("RRK-I", "public_lighting", "Public lighting in Dollc", "M18", "Dollc", 15_000, 900, "completed"),
        ("RRK-I", "youth_centre", "Youth centre in Osojane", "M17", "Osojane", 48_000, 700, "completed"),
        ("RRK-II", "riverbed", "Riverbed regulation in Budisalc", "M18", "Budisalc", 41_000, 1_200, "completed"),
        ("RRK-II", "community_event", "Multi-ethnic sports day in Lipjan", "M04", "Lipjan", 6_000, 1_500,
         "completed"),
        ("RRK-II", "road", "Road repair in Rudicë", "M18", "Rudicë", 66_000, 800, "completed"),
        ("RRK-II", "public_lighting", "Public lighting in Magurë", "M04", "Magurë", 17_000, 1_100, "completed"),
        ("RRK-III", "youth_centre", "Youth centre in Rečane", "M23", "Rečane", 52_000, 1_300, "completed"),
        ("RRK-III", "road", "Road to Sredska", "M23", "Sredska", 80_000, 1_000, "completed"),
        ("RRK-III", "community_event", "Multi-cultural fair in Prizren", "M23", "Prizren", 9_000, 4_000,
         "completed"),
        ("RRK-III", "riverbed", "Riverbed cleaning in Brod", "M24", "Brod", 29_000, 1_400, "completed"),
        ("RRK-IV", "public_lighting", "Public lighting in Vidanje", "M18", "Vidanje", 14_000, 500, "completed"),
        ("RRK-IV", "road", "Road to Restelicë", "M24", "Restelicë", 91_000, 2_200, "completed"),
        ("RRK-IV", "community_event", "Multi-ethnic youth camp in Dragash", "M24", "Dragash", 7_000, 600,
         "completed"),
        ("RRK-IV", "youth_centre", "Youth centre in Gadime", "M04", "Gadime", 46_000, 900, "completed"),
        ("RRK-V", "road", "Road repair in Zllakuqan", "M18", "Zllakuqan", 58_000, 1_100, "completed"),
        ("RRK-V", "public_lighting", "Public lighting in Mlikë", "M24", "Mlikë", 12_000, 700, "completed"),
        ("RRK-V", "community_event", "Multi-ethnic music evening in Janjevë", "M04", "Janjevë", 5_000, 800,
         "completed"),
    ]
    # When the RRK I-V projects were completed (the others by their programme's end, or TODAY).
    COMPLETED_ON = {title: date for title, date in zip(
        ["Riverbed regulation in Janjevë", "Multi-ethnic cultural festival in Klinë", "Road to Grabac",
         "Public lighting in Dollc", "Youth centre in Osojane", "Riverbed regulation in Budisalc",
         "Multi-ethnic sports day in Lipjan", "Road repair in Rudicë", "Public lighting in Magurë",
         "Youth centre in Rečane", "Road to Sredska", "Multi-cultural fair in Prizren", "Riverbed cleaning in Brod",
         "Public lighting in Vidanje", "Road to Restelicë", "Multi-ethnic youth camp in Dragash",
         "Youth centre in Gadime", "Road repair in Zllakuqan", "Public lighting in Mlikë",
         "Multi-ethnic music evening in Janjevë"],
        [D(2023, 10, 12), D(2018, 9, 15), D(2018, 11, 20), D(2019, 5, 30), D(2019, 10, 1), D(2019, 11, 14),
         D(2020, 6, 6), D(2020, 10, 30), D(2020, 12, 10), D(2021, 6, 18), D(2021, 9, 24), D(2021, 8, 21),
         D(2021, 11, 5), D(2022, 4, 12), D(2022, 10, 28), D(2022, 7, 16), D(2022, 12, 2), D(2023, 6, 30),
         D(2023, 9, 8), D(2024, 2, 17)])}

    def projects(self):
        from activities.actions import create_project, transition_project
        from activities.models import CommunityProject

        municipalities = {m.code: m for m in Municipality.objects.all()}
        steps = {"planned": [], "in_progress": ["in_progress"], "completed": ["in_progress", "completed"],
                 "cancelled": ["cancelled"]}
        for code, kind, title, municipality, settlement, cost, catchment, status in self.PROJECTS:
            programme = self.programmes[code]
            if CommunityProject.objects.filter(programme=programme, title=title).exists():
                continue
            project = create_project(CommunityProject(
                type=kind, title=title, programme=programme, municipality=municipalities[municipality],
                settlement=settlement, cost_eur=cost, catchment_population=catchment), acting_user=self.admin,
                via="command")
            finished = self.COMPLETED_ON.get(title) or programme.end_date or TODAY
            for step in steps[status]:
                transition_project(project, step, on=min(finished, TODAY), acting_user=self.admin, via="command",
                                   reason="The municipality did not provide the land." if step == "cancelled" else "")
            self.created["projects"] += 1


def load():
    """Load the demo dataset; returns what this run created (all zeros on a second run)."""
    created = Loader().run()
    if any(created.values()):
        # Planner statistics for the rows just written, as autovacuum (or on SQLite the worker)
        # would gather later; without them PostgreSQL plans the figures' subqueries for empty
        # tables (and inside a test's transaction autovacuum never sees the rows at all).
        statistics.refresh()
    return created


def login_lines(base_url="http://127.0.0.1:8000/"):
    lines = [f"Log in at {base_url} as admin / {PASSWORD}"]
    for username, _role, _m, _o, _p, _s, who in USERS:
        lines.append(f"  {username:<8} / {PASSWORD}   {who}")
    return lines
