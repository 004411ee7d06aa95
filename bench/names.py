"""Name pools for the synthetic registry: Albanian, Serbian, Roma/Ashkali/Egyptian, Bosniak, Gorani and
Turkish names as they are written in Kosovo's registration records. Earlier names in each list are
drawn more often (family names in Kosovo are very unevenly spread: Krasniqi alone is several percent).

Serbian names are written here in Latin; the generator writes part of them in Cyrillic, as entered
from documents issued in Serbia.
"""

ALBANIAN = {
    "male": [
        "Agim", "Arben", "Besnik", "Blerim", "Driton", "Fatmir", "Flamur", "Gëzim", "Ilir", "Kujtim",
        "Lulzim", "Mentor", "Naim", "Petrit", "Rexhep", "Shkëlzen", "Valon", "Xhevdet", "Ylber", "Bujar",
        "Afrim", "Bekim", "Burim", "Dardan", "Enver", "Fitim", "Hajdin", "Ismet", "Jetmir", "Labinot",
        "Mehmet", "Nexhat", "Qëndrim", "Ramadan", "Shpend", "Skënder", "Sokol", "Veton", "Zenel", "Hysen",
        "Avni", "Bajram", "Xhemajl", "Adem", "Besart", "Dren", "Ermal", "Granit", "Lirim", "Rrustem",
    ],
    "female": [
        "Arta", "Besa", "Blerta", "Drita", "Fatime", "Flutura", "Hana", "Lumnije", "Mimoza", "Nexhmije",
        "Qëndresa", "Rrezarta", "Shqipe", "Teuta", "Vjosa", "Zana", "Afërdita", "Ardita", "Bukurije", "Donika",
        "Edona", "Elvane", "Fjolla", "Gentiana", "Hajrije", "Jehona", "Kaltrina", "Liridona", "Merita", "Njomza",
        "Shpresa", "Valbona", "Xhevahire", "Yllka", "Zyrafete", "Arbnore", "Dafina", "Egzona", "Lirije", "Sevdije",
    ],
    "family": [
        "Krasniqi", "Gashi", "Berisha", "Morina", "Shala", "Hoxha", "Bytyçi", "Kelmendi", "Rexhepi", "Sylejmani",
        "Thaçi", "Hasani", "Ahmeti", "Mustafa", "Osmani", "Zeka", "Kastrati", "Halili", "Gjoka", "Dervishi",
        "Bajrami", "Rama", "Haxhiu", "Islami", "Kryeziu", "Avdiu", "Shehu", "Musliu", "Jashari", "Xhaka",
        "Llapashtica", "Ymeri", "Dushi", "Çitaku", "Qerimi", "Rrahmani", "Sadiku", "Veliu", "Zymberi", "Gjinovci",
        "Kuqi", "Mehmeti", "Demaj", "Lushtaku", "Dreshaj", "Nikçi", "Gjonbalaj", "Bislimi", "Hyseni", "Limani",
        "Salihu", "Gërxhaliu", "Kurteshi", "Latifi", "Maliqi", "Pllana", "Rugova", "Selimi", "Tahiri", "Uka",
    ],
}

SERBIAN = {
    "male": [
        "Dragan", "Milan", "Nenad", "Zoran", "Goran", "Dejan", "Slobodan", "Srđan", "Miloš", "Nikola",
        "Marko", "Stefan", "Vladimir", "Dušan", "Bojan", "Živojin", "Radoslav", "Momčilo", "Ljubiša", "Đorđe",
        "Žarko", "Predrag", "Miroslav", "Dragoljub", "Vojislav", "Nebojša", "Aleksandar", "Branislav", "Radomir",
        "Čedomir", "Njegoš", "Saša", "Uroš", "Vukašin", "Lazar",
    ],
    "female": [
        "Jelena", "Milica", "Ivana", "Dragana", "Snežana", "Ljiljana", "Vesna", "Gordana", "Marija", "Slavica",
        "Jasmina", "Biljana", "Nataša", "Danijela", "Dušanka", "Živana", "Radmila", "Mirjana", "Svetlana", "Tijana",
        "Jovana", "Đurđa", "Nevena", "Zorica", "Olivera", "Ljubica", "Stanislava", "Vukica", "Smiljana", "Tanja",
    ],
    "family": [
        "Petrović", "Jovanović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić", "Stanković", "Pavlović",
        "Milošević", "Todorović", "Savić", "Kostić", "Živković", "Simić", "Mitić", "Lazić", "Krstić", "Vučković",
        "Radović", "Trajković", "Stevanović", "Milenković", "Đokić", "Denić", "Spasić", "Antić", "Ristić", "Perić",
        "Vasić", "Stošić", "Jakšić", "Ćirić", "Kovačević", "Božović", "Dimitrijević", "Tomić", "Arsić", "Nešić",
        "Mladenović", "Krasnići", "Gašić", "Ljubić", "Njegovan", "Džinić",
    ],
}

# Roma, Ashkali and Egyptian families: Albanian-spelt names where Albanian is the home language
# (Ashkali, Egyptians, many Roma in the south), Serbian-spelt where Serbian is (Roma in the north
# and in Serbian-majority places).
RAE = {
    "male": [
        "Bajram", "Sabit", "Qerim", "Demir", "Ramiz", "Sami", "Selim", "Muharrem", "Nexhat", "Haki",
        "Kujtim", "Isen", "Avdil", "Enver", "Bekim", "Gani", "Ferat", "Elvis", "Senad", "Džemal",
        "Zećir", "Bajrush", "Sejdi", "Muhamet", "Ljuan", "Osman",
    ],
    "female": [
        "Sebahate", "Shukrije", "Hava", "Fatime", "Mejreme", "Hanife", "Sanije", "Xhemile", "Sevdije", "Zumreta",
        "Nazmije", "Selvije", "Elmaze", "Sadete", "Ljutfija", "Mirvete", "Ajša", "Behije", "Fikrija", "Šemsa",
    ],
    "family": [
        "Mustafa", "Bajrami", "Ramadani", "Krasniqi", "Gashi", "Salihu", "Osmani", "Avdiu", "Zeqiri", "Qerimi",
        "Kurteshi", "Demiri", "Sejdiu", "Beqiri", "Fazliu", "Mehmeti", "Jahiri", "Halimi", "Durmishi", "Shabani",
        "Asllani", "Berisha", "Ibishi", "Abdullahu", "Hajdari", "Demirović", "Ramadanović", "Mustafić",
        "Osmanović", "Bajramović", "Ibrahimović", "Sejdić", "Redžepi", "Kurteši", "Zećiri", "Gaši",
    ],
}

BOSNIAK = {
    "male": ["Emir", "Senad", "Adnan", "Nermin", "Almir", "Edin", "Mirsad", "Haris", "Fahrudin", "Sead"],
    "female": ["Amela", "Elma", "Sabina", "Edina", "Azra", "Lejla", "Merima", "Selma", "Aida", "Emina"],
    "family": ["Hadžić", "Kuč", "Mehmedović", "Bajraktari", "Ćoralić", "Ramić", "Tahirović", "Nuhić", "Hodžić",
               "Šabani"],
}

GORANI = {
    "male": ["Šaban", "Redžep", "Ramadan", "Isljam", "Sabri", "Ćamil", "Fadilj", "Nazif"],
    "female": ["Ćamilja", "Sadija", "Ljutvija", "Hajrija", "Fatima", "Zejnepa"],
    "family": ["Hadžiji", "Šaini", "Baki", "Redžepi", "Ahmeti", "Šerifi", "Daci", "Beljuli"],
}

TURKISH = {
    "male": ["Mehmet", "Ahmet", "Erhan", "Murat", "Orhan", "Cengiz", "Bülent", "Kenan"],
    "female": ["Ayşe", "Fatma", "Emine", "Gülsen", "Nurten", "Sevim"],
    "family": ["Kuyumcu", "Balkan", "Sinanaj", "Hoca", "Tekin", "Demirel", "Yılmaz", "Mamuşa"],
}
