"""Reference data of the demo: organisations, demo logins, the yearly figures it reproduces, and the
word lists synthetic persons are made from.

Everything personal here is invented. Names are common names combined at random; documents carry the
marker DEMO; phone numbers use the 555 block. The yearly figures are the published ones (US TIP
reports, see docs/domain.md §3.6) where they exist, and plausible values where they do not.
"""

from __future__ import annotations

from dataclasses import dataclass

from opennrm.accounts.models import OrganisationType as T
from opennrm.accounts.roles import RoleCode as R

DEMO_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    type: str
    city: str
    country: str = "RS"
    parent: str | None = None


# Serbian names in Serbian Latin with diacritics; the interface transliterates them to Cyrillic.
ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("centre", "Centar za zaštitu žrtava trgovine ljudima", T.CENTRE, "Beograd"),
    OrgSpec(
        "centre-shelter",
        "Prihvatilište za urgentni smeštaj žrtava trgovine ljudima",
        T.SHELTER,
        "Beograd",
        parent="centre",
    ),
    OrgSpec("police-bg", "Policijska uprava za grad Beograd", T.POLICE, "Beograd"),
    OrgSpec("police-ns", "Policijska uprava Novi Sad", T.POLICE, "Novi Sad"),
    OrgSpec("police-ni", "Policijska uprava Niš", T.POLICE, "Niš"),
    OrgSpec("prosecution-bg", "Više javno tužilaštvo u Beogradu", T.PROSECUTION, "Beograd"),
    OrgSpec("prosecution-oc", "Tužilaštvo za organizovani kriminal", T.PROSECUTION, "Beograd"),
    OrgSpec("prosecution-ns", "Više javno tužilaštvo u Novom Sadu", T.PROSECUTION, "Novi Sad"),
    OrgSpec("court-bg", "Viši sud u Beogradu", T.COURT, "Beograd"),
    OrgSpec("labour-inspectorate", "Inspektorat za rad", T.LABOUR_INSPECTORATE, "Beograd"),
    OrgSpec("csw-bg", "Gradski centar za socijalni rad u Beogradu", T.SOCIAL_WORK_CENTRE, "Beograd"),
    OrgSpec("csw-ns", "Centar za socijalni rad Grada Novog Sada", T.SOCIAL_WORK_CENTRE, "Novi Sad"),
    OrgSpec("csw-ni", "Centar za socijalni rad Niš", T.SOCIAL_WORK_CENTRE, "Niš"),
    OrgSpec("csw-su", "Centar za socijalni rad Subotica", T.SOCIAL_WORK_CENTRE, "Subotica"),
    OrgSpec("csw-zr", "Centar za socijalni rad Zrenjanin", T.SOCIAL_WORK_CENTRE, "Zrenjanin"),
    OrgSpec("astra", "ASTRA – Akcija protiv trgovine ljudima", T.NGO, "Beograd"),
    OrgSpec("atina", "Udruženje građana Atina", T.NGO, "Beograd"),
    OrgSpec("health-ns", "Dom zdravlja Novi Sad", T.HEALTH, "Novi Sad"),
    OrgSpec("school-ns", "Osnovna škola „Vuk Karadžić“ Novi Sad", T.SCHOOL, "Novi Sad"),
    OrgSpec(
        "coordination",
        "Kancelarija za koordinaciju aktivnosti u borbi protiv trgovine ljudima",
        T.COORDINATION_OFFICE,
        "Beograd",
    ),
    OrgSpec(
        "ombudsman",
        "Zaštitnik građana – nacionalni izvestilac za trgovinu ljudima",
        T.OVERSIGHT_BODY,
        "Beograd",
    ),
    OrgSpec(
        "embassy-at", "Ambasada Republike Austrije u Beogradu", T.FOREIGN_AUTHORITY, "Beograd", country="AT"
    ),
    OrgSpec(
        "iom",
        "Međunarodna organizacija za migracije (IOM) – Misija u Srbiji",
        T.INTERNATIONAL_ORGANISATION,
        "Beograd",
    ),
)


@dataclass(frozen=True)
class LoginSpec:
    username: str
    role: str
    organisation: str
    first_name: str
    last_name: str

    @property
    def password(self) -> str:
        # Memorable on purpose: these accounts log in only on an instance running in demo mode.
        return f"demo-{self.username}-2026"


DEMO_LOGINS: tuple[LoginSpec, ...] = (
    # A first-line reporter in a health centre: a nurse who notices signs of exploitation.
    LoginSpec("reporter", R.FIRST_LINE_REPORTER, "health-ns", "Vesna", "Negović"),
    LoginSpec("casemanager", R.CENTRE_CASE_MANAGER, "centre", "Jelena", "Vodić"),
    LoginSpec("head", R.CENTRE_HEAD, "centre", "Dragana", "Upravić"),
    LoginSpec("socialworker", R.SOCIAL_WORKER, "csw-bg", "Milica", "Starateljić"),
    LoginSpec("police", R.POLICE_INVESTIGATOR, "police-bg", "Nenad", "Istražić"),
    LoginSpec("prosecutor", R.PROSECUTOR, "prosecution-bg", "Zoran", "Optužić"),
    LoginSpec("inspector", R.LABOUR_INSPECTOR, "labour-inspectorate", "Goran", "Nadzorić"),
    LoginSpec("ngo", R.NGO_CASE_WORKER, "astra", "Ivana", "Podrškić"),
    # A second NGO, so that need-to-know can be shown: Atina does not see ASTRA's clients.
    LoginSpec("ngo2", R.NGO_CASE_WORKER, "atina", "Sanja", "Pomoćić"),
    LoginSpec("shelter", R.SHELTER_STAFF, "centre-shelter", "Snežana", "Smeštajić"),
    LoginSpec("coordinator", R.NATIONAL_COORDINATOR, "coordination", "Aleksandar", "Koordić"),
    LoginSpec("oversight", R.OVERSIGHT_INSPECTOR, "ombudsman", "Ljiljana", "Nadzornić"),
    LoginSpec("admin", R.SYSTEM_ADMIN, "coordination", "Petar", "Sistemić"),
)

# ---- the yearly figures ----------------------------------------------------------------------

# Categories of the published tables; an identified victim counts in exactly one of them.
# "multiple" is an incident with two forms.
CATEGORIES = ("sexual", "labour", "begging", "criminality", "multiple")
# Incident forms (ExploitationForm values) that count in each single-form category.
CATEGORY_FORMS: dict[str, tuple[str, ...]] = {
    "sexual": ("sexual",),
    "labour": ("labour", "forced_labour"),
    "begging": ("begging",),
    "criminality": ("criminality",),
}
MULTIPLE_PAIRS: tuple[tuple[str, str], ...] = (
    ("sexual", "labour"),
    ("sexual", "criminality"),
    ("labour", "begging"),
    ("begging", "criminality"),
    ("sexual", "begging"),
)


@dataclass(frozen=True)
class YearFigures:
    identified: int
    forms: tuple[int, int, int, int, int]  # in CATEGORIES order
    children: int
    female: int  # women and girls
    foreign: int
    not_identified: int  # referred, assessed, not identified
    girls: int | None = None  # when published
    source: str = "plausible value (no published figure)"

    def by_category(self) -> dict[str, int]:
        return dict(zip(CATEGORIES, self.forms, strict=True))


YEARS: dict[int, YearFigures] = {
    # TIP 2020 gives 24 children of 36 (67 %). The demo keeps every year within the 30–50 % child
    # share of the founding documents, so 2019 shows 17 children; everything else is as published.
    2019: YearFigures(
        36,
        (23, 3, 4, 1, 5),
        children=17,
        female=29,
        foreign=2,
        not_identified=4,
        source="TIP 2020 (children adjusted)",
    ),
    # "14 forced labour (incl. 2 begging)": 12 labour + 2 begging. Sex split published only as "majority F".
    2020: YearFigures(
        48, (21, 12, 2, 4, 9), children=17, female=36, foreign=5, not_identified=4, source="TIP 2021"
    ),
    2021: YearFigures(
        43, (23, 9, 0, 2, 9), children=14, female=34, foreign=1, not_identified=3, girls=13, source="TIP 2022"
    ),
    2022: YearFigures(45, (22, 10, 3, 2, 8), children=18, female=33, foreign=3, not_identified=4),
    2023: YearFigures(52, (25, 12, 3, 2, 10), children=21, female=38, foreign=4, not_identified=4),
    2024: YearFigures(49, (23, 11, 4, 2, 9), children=19, female=36, foreign=5, not_identified=4),
    2025: YearFigures(47, (22, 11, 3, 2, 9), children=17, female=34, foreign=4, not_identified=3),
    # The current year, up to the day the demo is loaded.
    2026: YearFigures(38, (18, 9, 2, 2, 7), children=15, female=28, foreign=3, not_identified=3),
}

# Cases still open in the current year: reported, in screening, referred, presumed victims.
PENDING = {"reported": 4, "screening": 2, "referred": 4, "presumed_victim": 4}
PENDING_FOREIGN = 3

# The group case nobody took up: foreign workers on a construction site, registered by the labour
# inspector, referred to the Centre, never interviewed.
GROUP_CASE = {
    "year": 2021,
    "month": 11,
    "day": 18,
    "size": 40,
    "women": 2,
    "citizenship": "VN",
    "municipality": "Zrenjanin",
    "title": "Radnici iz Vijetnama na gradilištu fabrike, Zrenjanin",
    "summary": (
        "Grupa radnika iz Vijetnama zatečena pri inspekcijskom nadzoru gradilišta: oduzeti pasoši, smeštaj "
        "u prenatrpanim barakama, neisplaćene zarade, rad bez slobodnih dana. Potreban prevodilac za vijetnamski."
    ),
}

# ---- places ------------------------------------------------------------------------------------

# Municipality -> (weight, region). The region picks the local police, prosecution and CSW.
MUNICIPALITIES: dict[str, tuple[int, str]] = {
    "Beograd": (40, "bg"),
    "Novi Sad": (12, "ns"),
    "Niš": (10, "ni"),
    "Subotica": (5, "su"),
    "Zrenjanin": (5, "zr"),
    "Pančevo": (4, "ns"),
    "Kragujevac": (5, "bg"),
    "Šabac": (3, "bg"),
    "Leskovac": (3, "ni"),
    "Vranje": (3, "ni"),
    "Novi Pazar": (3, "bg"),
    "Smederevo": (3, "bg"),
    "Sombor": (2, "su"),
}
REGION_POLICE = {
    "bg": "police-bg",
    "ns": "police-ns",
    "ni": "police-ni",
    "su": "police-ns",
    "zr": "police-ns",
}
REGION_PROSECUTION = {
    "bg": "prosecution-bg",
    "ns": "prosecution-ns",
    "ni": "prosecution-bg",
    "su": "prosecution-ns",
    "zr": "prosecution-ns",
}
REGION_CSW = {"bg": "csw-bg", "ns": "csw-ns", "ni": "csw-ni", "su": "csw-su", "zr": "csw-zr"}

# Serbian citizens identified abroad (Part A): country -> place.
ABROAD: dict[str, str] = {
    "AT": "Beč",
    "XK": "Priština",
    "BA": "Sarajevo",
    "MK": "Skoplje",
    "SI": "Ljubljana",
    "IL": "Tel Aviv",
    "CH": "Cirih",
    "AL": "Tirana",
}

# ---- names -------------------------------------------------------------------------------------

SR_FEMALE = (
    "Ana",
    "Marija",
    "Jelena",
    "Milica",
    "Jovana",
    "Katarina",
    "Ivana",
    "Tijana",
    "Sanja",
    "Dragana",
    "Snežana",
    "Nataša",
    "Milena",
    "Aleksandra",
    "Dušica",
    "Ljiljana",
    "Gordana",
    "Vesna",
    "Teodora",
    "Anđela",
    "Sara",
    "Nevena",
    "Kristina",
    "Biljana",
    "Danijela",
    "Mirjana",
    "Zorica",
    "Slađana",
    "Jasmina",
    "Nikolina",
    "Valentina",
    "Emina",
    "Sabina",
    "Dajana",
    "Elvira",
    "Merima",
    "Suzana",
    "Ljubica",
    "Đurđa",
    "Radmila",
)
SR_MALE = (
    "Marko",
    "Nikola",
    "Stefan",
    "Luka",
    "Lazar",
    "Nemanja",
    "Miloš",
    "Aleksandar",
    "Dušan",
    "Đorđe",
    "Vuk",
    "Filip",
    "Ivan",
    "Dragan",
    "Zoran",
    "Goran",
    "Dejan",
    "Bojan",
    "Saša",
    "Milan",
    "Slobodan",
    "Predrag",
    "Nenad",
    "Vladimir",
    "Jovan",
    "Petar",
    "Uroš",
    "Bogdan",
    "Žarko",
    "Srđan",
    "Ljubomir",
    "Emir",
    "Senad",
    "Bajram",
    "Muhamed",
)
SR_FAMILY = (
    "Jovanović",
    "Petrović",
    "Nikolić",
    "Marković",
    "Đorđević",
    "Stojanović",
    "Ilić",
    "Stanković",
    "Pavlović",
    "Milošević",
    "Popović",
    "Todorović",
    "Kostić",
    "Ristić",
    "Mitrović",
    "Živković",
    "Lazić",
    "Simić",
    "Radovanović",
    "Janković",
    "Vuković",
    "Kovačević",
    "Đukić",
    "Savić",
    "Tomić",
    "Stevanović",
    "Obradović",
    "Mladenović",
    "Nešić",
    "Milenković",
    "Bajramović",
    "Demirović",
    "Mehmedović",
    "Salihović",
    "Ramić",
    "Šaćirović",
    "Kurtić",
    "Husović",
    "Ljubisavljević",
    "Vučković",
    "Filipović",
    "Aćimović",
    "Čolić",
    "Šljivić",
)
SR_ALIASES = ("Maca", "Beba", "Caka", "Mimi", "Lola", "Žuća", "Cile", "Mali", "Buca")

# Foreign names are written in Latin script (family names first for Vietnam, as in its documents).
FOREIGN: dict[str, dict[str, tuple[str, ...]]] = {
    "BA": {
        "female": ("Amra", "Lejla", "Selma", "Amela"),
        "male": ("Adis", "Haris", "Mirza", "Kenan"),
        "family": ("Hodžić", "Delić", "Begić", "Mujić", "Babić"),
        "languages": ("bs",),
    },
    "MK": {
        "female": ("Elena", "Biljana", "Simona"),
        "male": ("Goce", "Dimitar", "Bojan"),
        "family": ("Stojanovski", "Trajkovski", "Nikolovski", "Dimovski"),
        "languages": ("mk",),
    },
    "AL": {
        "female": ("Arta", "Blerta", "Elira"),
        "male": ("Besnik", "Arben", "Ilir"),
        "family": ("Hoxha", "Krasniqi", "Berisha", "Gashi"),
        "languages": ("sq",),
    },
    "RO": {
        "female": ("Andreea", "Ioana", "Elena"),
        "male": ("Mihai", "Andrei", "Florin"),
        "family": ("Popescu", "Ionescu", "Dumitru", "Constantin"),
        "languages": ("ro",),
    },
    "BG": {
        "female": ("Desislava", "Petya", "Radka"),
        "male": ("Georgi", "Ivaylo", "Stoyan"),
        "family": ("Dimitrov", "Ivanov", "Georgiev", "Petrov"),
        "languages": ("bg",),
    },
    "UA": {
        "female": ("Olena", "Kateryna", "Oksana", "Iryna"),
        "male": ("Andriy", "Oleksandr", "Taras"),
        "family": ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko"),
        "languages": ("uk", "ru"),
    },
    "MD": {
        "female": ("Natalia", "Olga", "Cristina"),
        "male": ("Ion", "Vasile", "Sergiu"),
        "family": ("Rusu", "Ceban", "Ciobanu", "Munteanu"),
        "languages": ("ro", "ru"),
    },
    "AF": {
        "female": ("Zahra", "Maryam", "Fatima"),
        "male": ("Ahmad", "Farid", "Rahim", "Naveed", "Jawad"),
        "family": ("Ahmadi", "Rahimi", "Karimi", "Hakimi", "Sultani"),
        "languages": ("fa", "ps"),
    },
    "PK": {
        "female": ("Ayesha", "Sana"),
        "male": ("Imran", "Bilal", "Usman", "Hamza"),
        "family": ("Khan", "Hussain", "Iqbal", "Butt"),
        "languages": ("ur", "pa"),
    },
    "VN": {
        "female": ("Thị Lan", "Thị Hoa", "Thị Mai", "Thị Hương"),
        "male": (
            "Văn Hùng",
            "Văn Nam",
            "Đức Anh",
            "Minh Tuấn",
            "Quang Huy",
            "Văn Long",
            "Thành Công",
            "Hữu Phước",
            "Văn Dũng",
            "Xuân Trường",
            "Văn Toàn",
            "Đình Khoa",
            "Công Minh",
            "Văn Tài",
        ),
        "family": ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"),
        "languages": ("vi",),
    },
}
# Where foreign victims identified in Serbia came from (weights).
FOREIGN_ORIGINS = {"BA": 3, "MK": 2, "UA": 2, "AF": 2, "AL": 1, "RO": 1, "BG": 1, "MD": 1, "PK": 1}
# Languages a Serbian interpreter usually covers without an interpreter being "needed".
NO_INTERPRETER = {"RS", "BA", "MK"}

STREETS = (
    "Cara Dušana",
    "Nemanjina",
    "Kralja Petra",
    "Vojvode Stepe",
    "Bulevar oslobođenja",
    "Njegoševa",
    "Karađorđeva",
    "Svetog Save",
    "Partizanska",
    "Nikole Tesle",
    "Zmaj Jovina",
    "Dunavska",
)

# ---- texts (short, synthetic, without names) ---------------------------------------------------

INCIDENT_TITLES: dict[str, tuple[str, ...]] = {
    "sexual": (
        "Seksualna eksploatacija u iznajmljenom stanu",
        "Prostitucija u noćnom klubu",
        "Vrbovanje preko društvenih mreža",
    ),
    "labour": (
        "Rad bez ugovora na gradilištu",
        "Sezonski rad u poljoprivredi",
        "Rad u ugostiteljstvu bez plate",
    ),
    "begging": ("Prosjačenje na raskrsnicama", "Prosjačenje ispred tržnog centra"),
    "criminality": ("Prinuda na džepne krađe", "Prinuda na prenošenje droge"),
    "unknown": ("Prijava sumnje na trgovinu ljudima",),
}
SUMMARIES: dict[str, tuple[str, ...]] = {
    "sexual": (
        "Vrbovana obećanjem posla u ugostiteljstvu, zatim primorana na prostituciju; posrednik joj je oduzeo dokumenta.",
        "Partner je primorava na pružanje seksualnih usluga i uzima sav novac; pretnje porodici.",
        "Kontakt preko društvenih mreža; odvedena u drugi grad i držana u stanu pod nadzorom.",
    ),
    "labour": (
        "Rad bez ugovora na gradilištu po 14 sati dnevno; zadržana plata i lična karta.",
        "Sezonski rad u poljoprivredi, smeštaj u neuslovnom objektu, dug za prevoz koji stalno raste.",
        "Vrbovan za rad u građevinarstvu u inostranstvu; po dolasku oduzet pasoš i uskraćena zarada.",
    ),
    "begging": (
        "Primoravanje na prosjačenje na raskrsnicama; novac se predaje odrasloj osobi koja nadzire.",
        "Svakodnevno dovođenje na prosjačenje ispred tržnog centra, bez pristupa školi.",
    ),
    "criminality": (
        "Prinuda na džepne krađe u javnom prevozu pod pretnjom nasiljem.",
        "Primorana da prenosi drogu preko granice; prijavljena policiji nakon hapšenja.",
    ),
    "not_identified": (
        "Neisplaćene zarade i prekovremeni rad; bez indikatora prinude, upućen inspekciji rada.",
        "Prijava škole o izostancima; procena nije potvrdila eksploataciju, nastavljen rad CSR sa porodicom.",
        "Sumnja na prinudni brak; nakon razgovora sa porodicom i detetom nema osnova za status žrtve.",
    ),
    "pending": (
        "Nova prijava; potrebna procena i razgovor uz prisustvo prevodioca ako je potrebno.",
        "Prijava policije nakon racije u ugostiteljskom objektu; čeka se razgovor u Centru.",
    ),
}
NOTES: dict[str, tuple[str, ...]] = {
    "general": (
        "Obavljen prvi razgovor u prisustvu socijalne radnice.",
        "Informisana o pravima na jeziku koji razume; potpisana saglasnost za obradu podataka.",
        "Uspostavljen kontakt sa porodicom uz saglasnost korisnika.",
    ),
    "medical": (
        "Upućena na ginekološki pregled; nalaz uredan, zakazana kontrola.",
        "Potrebna stomatološka intervencija; organizovan pregled u domu zdravlja.",
        "Povrede šake zadobijene na radu; obavljen pregled u urgentnom centru.",
    ),
    "psychosocial": (
        "Uključena u individualno savetovanje jednom nedeljno; prisutni poremećaji sna.",
        "Izražen strah od osvete; radi se na stabilizaciji i planu podrške.",
        "Dobro sarađuje; pokazuje interesovanje za obuku za frizera.",
    ),
    "legal": (
        "Saslušana kao oštećena pred tužilaštvom; predložen status posebno osetljivog svedoka.",
        "Podnet imovinskopravni zahtev u krivičnom postupku.",
        "Obezbeđena besplatna pravna pomoć; imenovan advokat.",
    ),
    "security": (
        "Procena rizika: visok. Osumnjičeni je na slobodi i zna adresu porodice.",
        "Procena rizika: srednji. Dogovoren plan bezbednosti i kontakt sa policijom.",
        "Promenjen broj telefona; lokacija smeštaja poznata samo zaposlenima Centra.",
    ),
}
CENTRE_TASKS = (
    "Izraditi individualni plan zaštite",
    "Revizija plana zaštite",
    "Procena rizika pre povratka u porodicu",
    "Organizovati prevodioca za razgovor",
    "Pripremiti korisnicu za saslušanje",
    "Obezbediti smeštaj nakon izlaska iz prihvatilišta",
)
# Suspects are recorded under labels only; identities belong to the justice module.
SUSPECTS: tuple[dict[str, object], ...] = (
    {"label": "Osumnjičeni A", "role_in_process": "exploiter"},
    {"label": "Osumnjičena B", "role_in_process": "recruiter"},
    {"label": "Vozač", "role_in_process": "transporter"},
    {"label": "Vlasnik objekta", "role_in_process": "exploiter"},
    {"label": "Posrednik", "role_in_process": "recruiter"},
    {"label": "Korisnik usluga", "role_in_process": "user"},
)
GROUP_SUSPECTS = (
    {"label": "Izvođač radova (preduzeće)", "role_in_process": "exploiter", "is_legal_person": True},
    {"label": "Agencija za zapošljavanje", "role_in_process": "recruiter", "is_legal_person": True},
)
GROUP_TASK = "Organizovati prevodioca za vijetnamski i razgovore za identifikaciju grupe iz Zrenjanina"

# Reasons of the Centre head's identification decisions (synthetic, no real person).
DECISION_REASONS: dict[str, tuple[str, ...]] = {
    "identified": (
        "Na osnovu razgovora uz prisustvo psihologa, izjave upućujuće organizacije i utvrđenih indikatora "
        "(obmana pri zapošljavanju, oduzeta lična dokumenta, kontrola kretanja) utvrđeno je da je lice žrtva "
        "trgovine ljudima.",
        "Iskaz je dosledan i potkrepljen zapisnikom inspekcije rada; ispunjeni su indikatori prinudnog rada "
        "(dužničko ropstvo, zadržavanje zarade, pretnje). Lice se identifikuje kao žrtva trgovine ljudima.",
        "Maloletno lice je vrbovano i korišćeno radi eksploatacije; kod deteta se sredstva ne utvrđuju "
        "(čl. 388 st. 2 KZ). Mišljenje centra za socijalni rad pribavljeno.",
        "Utvrđeni jaki indikatori seksualne eksploatacije i prinude u mestu eksploatacije; nalaz lekara i "
        "mišljenje NVO potvrđuju iskaz.",
    ),
    "not_identified": (
        "Razgovorom i proverom dokumentacije nisu utvrđeni elementi eksploatacije niti sredstva prinude; "
        "radi se o radnom sporu. Lice je upućeno na inspekciju rada i besplatnu pravnu pomoć.",
        "Nisu utvrđeni indikatori trgovine ljudima; lice je dobrovoljno migriralo i slobodno raspolaže "
        "zaradom i dokumentima. Upućeno na centar za socijalni rad radi podrške.",
    ),
}


# Why the Centre closed a case (the closure review's explanation), by reason. No names.
CLOSURE_EXPLANATIONS: dict[str, tuple[str, ...]] = {
    "reintegrated": (
        "Korisnica samostalno stanuje i radi već šest meseci; ciljevi individualnog plana su ostvareni.",
        "Završena prekvalifikacija i zaposlenje; porodica pruža podršku, praćenje bez novih rizika.",
    ),
    "returned": (
        "Dobrovoljni povratak uz podršku IOM-a; predat službama u zemlji porekla, potvrda o prijemu stigla.",
    ),
    "lost_contact": (
        "Tri pokušaja kontakta u razmaku od mesec dana bez odgovora; nema saznanja o novoj eksploataciji.",
    ),
    "declined_assistance": (
        "Lice je obavešteno o pravima i uslugama i izričito odbilo dalju podršku; može se ponovo obratiti.",
    ),
    "not_identified": (
        "Rešenjem nije utvrđen status žrtve; lice upućeno centru za socijalni rad radi drugih usluga.",
    ),
}
