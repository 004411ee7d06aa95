"""The assistance types the contract promises (section 4), with their category, unit and recipient."""

# code, English, Albanian, Serbian Latin, category, unit, recipient, sensitive
TYPES = [
    ("house_construction", "House construction", "Ndërtim shtëpie", "Izgradnja kuće", "shelter", "house", "household", False),
    ("house_reconstruction", "House reconstruction", "Rindërtim shtëpie", "Rekonstrukcija kuće", "shelter", "house", "household", False),
    ("harmonized_package", "Harmonized assistance package", "Pako e harmonizuar e ndihmës", "Harmonizovani paket pomoći", "package", "package", "household", False),
    ("food_package", "Food package", "Pako ushqimore", "Paket hrane", "package", "package", "household", False),
    ("nfi_package", "Non-food items package", "Pako me artikuj joushqimorë", "Paket neprehrambenih artikala", "package", "package", "household", False),
    ("firewood", "Firewood", "Dru zjarri", "Ogrevno drvo", "package", "m³", "household", False),
    ("furniture", "Furniture", "Mobilje", "Nameštaj", "package", "set", "household", False),
    ("return_package", "Return package", "Pako e kthimit", "Povratnički paket", "package", "package", "household", False),
    ("transport", "Transport", "Transport", "Prevoz", "transport", "trip", "household", False),
    ("income_generation_grant", "Income-generation grant", "Grant për gjenerim të të ardhurave", "Grant za ostvarivanje prihoda", "income_generation", "grant", "household", False),
    ("vocational_training", "Vocational training", "Aftësim profesional", "Stručna obuka", "training", "course", "person", False),
    ("business_training", "Business training", "Trajnim për biznes", "Obuka za poslovanje", "training", "course", "person", False),
    ("mentoring", "Mentoring", "Mentorim", "Mentorstvo", "training", "session", "person", False),
    ("job_placement", "Job placement", "Punësim", "Zapošljavanje", "employment", "placement", "person", False),
    ("language_course", "Language course", "Kurs gjuhe", "Kurs jezika", "training", "course", "person", False),
    ("psychosocial_support", "Psychosocial support", "Mbështetje psikosociale", "Psihosocijalna podrška", "psychosocial", "session", "person", True),
    ("referral", "Referral", "Referim", "Upućivanje", "referral", "referral", "person", False),
    ("medical_assistance", "Medical assistance", "Ndihmë mjekësore", "Medicinska pomoć", "medical", "case", "person", True),
    ("medical_evacuation", "Medical evacuation", "Evakuim mjekësor", "Medicinska evakuacija", "medical", "evacuation", "person", True),
    ("legal_assistance", "Legal assistance", "Ndihmë juridike", "Pravna pomoć", "legal", "case", "person", False),
    ("cash_grant", "Cash grant", "Grant në para", "Novčana pomoć", "cash", "EUR", "household", False),
]

# The harmonized package of the RRK programme.
HARMONIZED_PACKAGE = [("food_package", 1), ("nfi_package", 1), ("firewood", 5), ("furniture", 1)]

# A second house is blocked; a second package or grant of the same category is warned about.
GUARD_RULES = [("shelter", "block"), ("income_generation", "block"), ("package", "warn"), ("cash", "warn")]
