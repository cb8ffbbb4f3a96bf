"""Sales territories and the cities customers live in (hand-written reference data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa

from .. import contract
from .tables import table_from_records


@dataclass(frozen=True)
class Territory:
    code: str
    name: str
    region: str
    country_code: str
    #: Share of customers living in the territory.
    customer_share: float


@dataclass(frozen=True)
class City:
    city: str
    state_province: str
    state_code: str
    country_code: str
    territory_code: str
    latitude: Decimal
    longitude: Decimal
    #: Relative number of customers within the territory.
    weight: float
    #: Postal code pattern: ``#`` a digit, ``@`` a capital letter, anything else literal.
    postal: str

    @property
    def language(self) -> str:
        """Language of names and street addresses."""
        if self.country_code == "FR" or self.state_code == "QC":
            return "fr"
        return "de" if self.country_code == "DE" else "en"


TERRITORIES: tuple[Territory, ...] = (
    Territory("US-NW", "Northwest", "North America", "US", 0.10),
    Territory("US-SW", "Southwest", "North America", "US", 0.17),
    Territory("US-C", "Central", "North America", "US", 0.09),
    Territory("US-NE", "Northeast", "North America", "US", 0.11),
    Territory("US-SE", "Southeast", "North America", "US", 0.07),
    Territory("CA", "Canada", "North America", "CA", 0.08),
    Territory("FR", "France", "Europe", "FR", 0.08),
    Territory("DE", "Germany", "Europe", "DE", 0.09),
    Territory("GB", "United Kingdom", "Europe", "GB", 0.08),
    Territory("AU", "Australia", "Pacific", "AU", 0.13),
)

REGIONS: tuple[str, ...] = tuple(dict.fromkeys(t.region for t in TERRITORIES))

#: Territories in the southern hemisphere, where the cycling season is shifted by six months.
SOUTHERN_TERRITORIES: frozenset[str] = frozenset({"AU"})

COUNTRY_NAMES: dict[str, str] = {
    "US": "United States",
    "CA": "Canada",
    "FR": "France",
    "DE": "Germany",
    "GB": "United Kingdom",
    "AU": "Australia",
}

_CITY_ROWS: tuple[tuple[str, str, str, str, str, str, str, float, str], ...] = (
    # city, state/province, state code, country, territory, latitude, longitude, weight, postal
    ("Seattle", "Washington", "WA", "US", "US-NW", "47.6062", "-122.3321", 7.5, "981##"),
    ("Portland", "Oregon", "OR", "US", "US-NW", "45.5152", "-122.6784", 6.5, "972##"),
    ("Spokane", "Washington", "WA", "US", "US-NW", "47.6588", "-117.4260", 2.3, "992##"),
    ("Tacoma", "Washington", "WA", "US", "US-NW", "47.2529", "-122.4443", 2.2, "984##"),
    ("Boise", "Idaho", "ID", "US", "US-NW", "43.6150", "-116.2023", 2.4, "837##"),
    ("Eugene", "Oregon", "OR", "US", "US-NW", "44.0521", "-123.0868", 1.8, "974##"),
    ("Los Angeles", "California", "CA", "US", "US-SW", "34.0522", "-118.2437", 12.0, "900##"),
    ("San Francisco", "California", "CA", "US", "US-SW", "37.7749", "-122.4194", 7.0, "941##"),
    ("San Diego", "California", "CA", "US", "US-SW", "32.7157", "-117.1611", 5.5, "921##"),
    ("Phoenix", "Arizona", "AZ", "US", "US-SW", "33.4484", "-112.0740", 5.0, "850##"),
    ("Las Vegas", "Nevada", "NV", "US", "US-SW", "36.1699", "-115.1398", 3.5, "891##"),
    ("Denver", "Colorado", "CO", "US", "US-SW", "39.7392", "-104.9903", 5.5, "802##"),
    ("Salt Lake City", "Utah", "UT", "US", "US-SW", "40.7608", "-111.8910", 2.5, "841##"),
    ("Austin", "Texas", "TX", "US", "US-SW", "30.2672", "-97.7431", 4.5, "787##"),
    ("Albuquerque", "New Mexico", "NM", "US", "US-SW", "35.0844", "-106.6504", 2.0, "871##"),
    ("Chicago", "Illinois", "IL", "US", "US-C", "41.8781", "-87.6298", 10.0, "606##"),
    ("Minneapolis", "Minnesota", "MN", "US", "US-C", "44.9778", "-93.2650", 4.5, "554##"),
    ("St. Louis", "Missouri", "MO", "US", "US-C", "38.6270", "-90.1994", 2.8, "631##"),
    ("Kansas City", "Missouri", "MO", "US", "US-C", "39.0997", "-94.5786", 2.6, "641##"),
    ("Columbus", "Ohio", "OH", "US", "US-C", "39.9612", "-82.9988", 3.2, "432##"),
    ("Detroit", "Michigan", "MI", "US", "US-C", "42.3314", "-83.0458", 3.0, "482##"),
    ("Milwaukee", "Wisconsin", "WI", "US", "US-C", "43.0389", "-87.9065", 2.4, "532##"),
    ("Indianapolis", "Indiana", "IN", "US", "US-C", "39.7684", "-86.1581", 2.9, "462##"),
    ("New York", "New York", "NY", "US", "US-NE", "40.7128", "-74.0060", 16.0, "100##"),
    ("Boston", "Massachusetts", "MA", "US", "US-NE", "42.3601", "-71.0589", 6.0, "021##"),
    ("Philadelphia", "Pennsylvania", "PA", "US", "US-NE", "39.9526", "-75.1652", 6.5, "191##"),
    ("Pittsburgh", "Pennsylvania", "PA", "US", "US-NE", "40.4406", "-79.9959", 2.6, "152##"),
    ("Hartford", "Connecticut", "CT", "US", "US-NE", "41.7658", "-72.6734", 1.5, "061##"),
    ("Burlington", "Vermont", "VT", "US", "US-NE", "44.4759", "-73.2121", 1.0, "054##"),
    ("Buffalo", "New York", "NY", "US", "US-NE", "42.8864", "-78.8784", 2.0, "142##"),
    ("Atlanta", "Georgia", "GA", "US", "US-SE", "33.7490", "-84.3880", 6.0, "303##"),
    ("Miami", "Florida", "FL", "US", "US-SE", "25.7617", "-80.1918", 5.5, "331##"),
    ("Charlotte", "North Carolina", "NC", "US", "US-SE", "35.2271", "-80.8431", 3.5, "282##"),
    ("Nashville", "Tennessee", "TN", "US", "US-SE", "36.1627", "-86.7816", 3.0, "372##"),
    ("Orlando", "Florida", "FL", "US", "US-SE", "28.5383", "-81.3792", 3.0, "328##"),
    ("Raleigh", "North Carolina", "NC", "US", "US-SE", "35.7796", "-78.6382", 2.5, "276##"),
    ("Richmond", "Virginia", "VA", "US", "US-SE", "37.5407", "-77.4360", 2.0, "232##"),
    ("Toronto", "Ontario", "ON", "CA", "CA", "43.6532", "-79.3832", 9.0, "M#@ #@#"),
    ("Vancouver", "British Columbia", "BC", "CA", "CA", "49.2827", "-123.1207", 6.5, "V#@ #@#"),
    ("Montréal", "Quebec", "QC", "CA", "CA", "45.5017", "-73.5673", 6.0, "H#@ #@#"),
    ("Calgary", "Alberta", "AB", "CA", "CA", "51.0447", "-114.0719", 4.0, "T#@ #@#"),
    ("Ottawa", "Ontario", "ON", "CA", "CA", "45.4215", "-75.6972", 3.5, "K#@ #@#"),
    ("Edmonton", "Alberta", "AB", "CA", "CA", "53.5461", "-113.4938", 3.0, "T#@ #@#"),
    ("Victoria", "British Columbia", "BC", "CA", "CA", "48.4284", "-123.3656", 1.5, "V#@ #@#"),
    ("Halifax", "Nova Scotia", "NS", "CA", "CA", "44.6488", "-63.5752", 1.5, "B#@ #@#"),
    ("Paris", "Île-de-France", "IDF", "FR", "FR", "48.8566", "2.3522", 12.0, "750##"),
    ("Lyon", "Auvergne-Rhône-Alpes", "ARA", "FR", "FR", "45.7640", "4.8357", 4.5, "6900#"),
    ("Marseille", "Provence-Alpes-Côte d'Azur", "PAC", "FR", "FR", "43.2965", "5.3698", 4.0, "130##"),
    ("Toulouse", "Occitanie", "OCC", "FR", "FR", "43.6047", "1.4442", 3.5, "310##"),
    ("Nantes", "Pays de la Loire", "PDL", "FR", "FR", "47.2184", "-1.5536", 2.8, "440##"),
    ("Bordeaux", "Nouvelle-Aquitaine", "NAQ", "FR", "FR", "44.8378", "-0.5792", 3.0, "330##"),
    ("Lille", "Hauts-de-France", "HDF", "FR", "FR", "50.6292", "3.0573", 2.5, "590##"),
    ("Strasbourg", "Grand Est", "GES", "FR", "FR", "48.5734", "7.7521", 2.2, "670##"),
    ("Berlin", "Berlin", "BE", "DE", "DE", "52.5200", "13.4050", 9.0, "10###"),
    ("Hamburg", "Hamburg", "HH", "DE", "DE", "53.5511", "9.9937", 5.5, "20###"),
    ("München", "Bayern", "BY", "DE", "DE", "48.1351", "11.5820", 6.0, "80###"),
    ("Köln", "Nordrhein-Westfalen", "NW", "DE", "DE", "50.9375", "6.9603", 4.5, "50###"),
    ("Frankfurt am Main", "Hessen", "HE", "DE", "DE", "50.1109", "8.6821", 3.5, "60###"),
    ("Stuttgart", "Baden-Württemberg", "BW", "DE", "DE", "48.7758", "9.1829", 3.0, "70###"),
    ("Düsseldorf", "Nordrhein-Westfalen", "NW", "DE", "DE", "51.2277", "6.7735", 3.0, "40###"),
    ("Leipzig", "Sachsen", "SN", "DE", "DE", "51.3397", "12.3731", 2.5, "04###"),
    ("London", "England", "ENG", "GB", "GB", "51.5074", "-0.1278", 16.0, "SW# #@@"),
    ("Manchester", "England", "ENG", "GB", "GB", "53.4808", "-2.2426", 4.5, "M# #@@"),
    ("Birmingham", "England", "ENG", "GB", "GB", "52.4862", "-1.8904", 4.5, "B# #@@"),
    ("Leeds", "England", "ENG", "GB", "GB", "53.8008", "-1.5491", 3.0, "LS# #@@"),
    ("Bristol", "England", "ENG", "GB", "GB", "51.4545", "-2.5879", 3.0, "BS# #@@"),
    ("Edinburgh", "Scotland", "SCT", "GB", "GB", "55.9533", "-3.1883", 3.0, "EH# #@@"),
    ("Glasgow", "Scotland", "SCT", "GB", "GB", "55.8642", "-4.2518", 3.2, "G# #@@"),
    ("Cardiff", "Wales", "WLS", "GB", "GB", "51.4816", "-3.1791", 2.0, "CF# #@@"),
    ("Sydney", "New South Wales", "NSW", "AU", "AU", "-33.8688", "151.2093", 10.0, "20##"),
    ("Melbourne", "Victoria", "VIC", "AU", "AU", "-37.8136", "144.9631", 9.5, "30##"),
    ("Brisbane", "Queensland", "QLD", "AU", "AU", "-27.4698", "153.0251", 5.0, "40##"),
    ("Perth", "Western Australia", "WA", "AU", "AU", "-31.9505", "115.8605", 4.5, "60##"),
    ("Adelaide", "South Australia", "SA", "AU", "AU", "-34.9285", "138.6007", 3.0, "50##"),
    ("Canberra", "Australian Capital Territory", "ACT", "AU", "AU", "-35.2809", "149.1300", 1.5, "26##"),
    ("Hobart", "Tasmania", "TAS", "AU", "AU", "-42.8821", "147.3272", 1.0, "70##"),
)

CITIES: tuple[City, ...] = tuple(
    City(city, state, code, country, territory, Decimal(lat), Decimal(lon), weight, postal)
    for city, state, code, country, territory, lat, lon, weight, postal in _CITY_ROWS
)


def territory_table() -> pa.Table:
    return table_from_records(
        contract.TERRITORIES, TERRITORIES, territory_code=lambda t: t.code, territory_name=lambda t: t.name
    )


def geography_table() -> pa.Table:
    return table_from_records(
        contract.GEOGRAPHY, CITIES, country_name=lambda c: COUNTRY_NAMES[c.country_code]
    )
