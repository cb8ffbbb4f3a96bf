"""Word lists for customer names, company names and street addresses."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """Items of a ``|``-separated list spread over several lines."""
    return tuple(w.strip() for w in text.split("|") if w.strip())


FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _words(
        "James|Mary|John|Patricia|Robert|Jennifer|Michael|Linda|William|Emily|David|Sarah|Richard|Jessica|"
        "Joseph|Karen|Thomas|Nancy|Chris|Lisa|Daniel|Megan|Matthew|Ashley|Anthony|Olivia|Mark|Emma|Paul|"
        "Grace|Steven|Chloe|Andrew|Sophie|Joshua|Hannah|Kevin|Amelia|Brian|Isla|Ryan|Zoe|Jacob|Ruby|Ethan|"
        "Mia|Noah|Ava|Liam|Lucy"
    ),
    "fr": _words(
        "Jean|Marie|Pierre|Camille|Louis|Léa|Nicolas|Manon|Julien|Chloé|Antoine|Inès|Hugo|Sarah|Thomas|"
        "Juliette|Lucas|Emma|Mathieu|Clara|François|Élodie|Théo|Margaux|Maxime|Céline|Alexandre|Amélie|"
        "Benoît|Zoé"
    ),
    "de": _words(
        "Lukas|Anna|Leon|Lena|Jonas|Laura|Felix|Julia|Maximilian|Sophie|Paul|Katharina|Jan|Marie|Tobias|"
        "Lea|Florian|Hannah|Sebastian|Johanna|Moritz|Jana|Niklas|Sabine|Stefan|Jürgen|Andreas|Birgit|"
        "Matthias|Anke"
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _words(
        "Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Thomas|Moore|Martin|Jackson|"
        "Thompson|White|Harris|Clark|Lewis|Robinson|Walker|Young|Allen|King|Wright|Scott|Green|Baker|Adams|"
        "Nelson|Hill|Campbell|Mitchell|Roberts|Carter|Phillips|Evans|Turner|Parker|Collins|Edwards|Stewart|"
        "Morris|Murphy|Cook|Rogers|Morgan|Cooper|Patel|Nguyen|Chen|Singh|Kim|Garcia|Martinez|Lopez|O'Brien|"
        "MacDonald|Hughes|Wood"
    ),
    "fr": _words(
        "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|Lefèvre|Michel|"
        "Garcia|David|Bertrand|Roux|Vincent|Fournier|Morel|Girard|André|Mercier|Dupont|Lambert|Bonnet|"
        "François|Tremblay|Gagnon"
    ),
    "de": _words(
        "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|Koch|Bauer|"
        "Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|Hartmann|Lange|Schmitt|"
        "Werner|Krause|Meier|Lehmann"
    ),
}

STREETS: dict[str, tuple[str, ...]] = {
    "en": _words(
        "Main Street|Oak Avenue|Maple Drive|Park Road|Cedar Lane|High Street|Church Road|Lakeview Drive|"
        "Pine Street|Elm Street|Hillcrest Road|River Road|Station Road|Victoria Street|King Street|"
        "Queen Street|Washington Avenue|Mill Lane|Forest Avenue|Sunset Boulevard|Harbour Street|Meadow Way|"
        "Bridge Street|Willow Court"
    ),
    "fr": _words(
        "rue de la République|avenue Victor Hugo|rue du Moulin|boulevard Voltaire|rue des Lilas|rue Pasteur|"
        "place de la Mairie|rue Jean Jaurès|avenue de la Gare|rue Nationale|rue des Écoles|chemin des Vignes|"
        "rue Saint-Michel|avenue des Pins"
    ),
    "de": _words(
        "Hauptstraße|Bahnhofstraße|Gartenstraße|Schulstraße|Lindenallee|Bergstraße|Kirchweg|Am Markt|"
        "Goethestraße|Schillerstraße|Waldweg|Rosenstraße|Parkstraße"
    ),
}

#: Street-address pattern per language: number first, or street first (German).
NUMBER_FIRST: dict[str, bool] = {"en": True, "fr": True, "de": False}

PERSONAL_EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org", "mail.example")

COMPANY_PREFIXES: tuple[str, ...] = _words(
    "Summit|Riverside|Northgate|Blue Ridge|Harbor|Evergreen|Pioneer|Granite|Silverline|Redwood|Lakeside|"
    "Metro|Horizon|Cascade|Keystone|Atlas|Beacon|Crescent|Falcon|Meridian|Oakridge|Pinnacle|Sterling|"
    "Trailhead|Alpine|Coastal|Prairie|Union|Highland|Westbrook|Ironwood|Bayview|Clearwater|Stonebridge"
)

#: industry -> (share of business customers, company-name nouns, whether the name takes a legal form)
INDUSTRIES: dict[str, tuple[float, tuple[str, ...], bool]] = {
    "Retail": (0.26, ("Cycle Shop", "Outdoor Store", "Sports", "Bike Center"), True),
    "Manufacturing": (0.12, ("Manufacturing", "Industries", "Components"), True),
    "Education": (0.08, ("College", "Academy", "School District"), False),
    "Healthcare": (0.09, ("Health", "Medical Center", "Clinic"), True),
    "Hospitality": (0.10, ("Hotels", "Resorts", "Hospitality Group"), True),
    "Logistics": (0.14, ("Logistics", "Couriers", "Delivery"), True),
    "Government": (0.06, ("Parks Department", "Transit Authority", "City Services"), False),
    "Sports clubs": (0.15, ("Cycling Club", "Riders Club", "Velo Club"), False),
}

LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "US": ("Inc.", "LLC"),
    "CA": ("Ltd.", "Inc."),
    "GB": ("Ltd", "PLC"),
    "AU": ("Pty Ltd",),
    "FR": ("SARL", "SAS"),
    "DE": ("GmbH", "AG"),
}
