"""The customer base: who the customers are, where they live, when they arrived and how much they buy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import CUSTOMERS
from .geography import CITIES, REGIONS, SOUTHERN_TERRITORIES, TERRITORIES
from .names import (
    COMPANY_PREFIXES,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    LEGAL_FORMS,
    NUMBER_FIRST,
    PERSONAL_EMAIL_DOMAINS,
    STREETS,
)
from .plan import Period, Signals, day_number
from .segments import BUSINESS, INDIVIDUAL, LARGE_SEGMENTS, SEGMENT_NAMES, SEGMENTS
from .staff import ascii_slug, reps_by_territory
from .tables import date_array, numbered, table_from_columns, take

LANGUAGES = ("en", "fr", "de")
_POSTAL_LETTERS = np.frombuffer(b"ABCEGHJKLMNPRSTVWXYZ", dtype=np.uint8)
#: Share of customers that existed before the period starts; the rest arrive during it.
EXISTING_SHARE = 0.35
#: Regions the large business clients are in.
LARGE_CLIENT_REGIONS = ("North America", "Europe")
#: Share of individuals without an e-mail address on file.
NO_EMAIL_SHARE = 0.04


@dataclass(frozen=True)
class Customers:
    table: pa.Table
    ids: pa.Array
    created_day: np.ndarray
    #: Last day the customer may order (earlier than as_of only for the declining clients).
    until_day: np.ndarray
    territory: np.ndarray
    region: np.ndarray
    southern: np.ndarray
    segment: np.ndarray
    business: np.ndarray
    large: np.ndarray
    #: Relative order rate within the customer's pool (regular customers, or the large clients).
    weight: np.ndarray
    declining: np.ndarray
    controls: np.ndarray

    def __len__(self) -> int:
        return len(self.created_day)


def customer_count(order_lines: int) -> int:
    return max(2_000, order_lines // 20)


#: Large business clients (national accounts), the same number at every volume so that the
#: declining clients weigh the same in their region whatever the size of the demo.
LARGE_CLIENTS = 30


class _Lookup:
    """Strings of several per-language (or per-group) lists in one Arrow array, drawn by group."""

    def __init__(self, groups: list[tuple[str, ...]]) -> None:
        self.values = pa.array([v for g in groups for v in g])
        self.offset = np.cumsum([0] + [len(g) for g in groups[:-1]])
        self.size = np.array([len(g) for g in groups])

    def draw(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        return self.offset[group] + (rng.random(len(group)) * self.size[group]).astype(np.int64)


def _choice(rng: np.random.Generator, weights: np.ndarray | list[float], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _postal_codes(rng: np.random.Generator, city: np.ndarray) -> pa.Array:
    width = max(len(c.postal) for c in CITIES)
    templates = np.zeros((len(CITIES), width), dtype=np.uint8)
    for i, c in enumerate(CITIES):
        templates[i, : len(c.postal)] = np.frombuffer(c.postal.encode(), dtype=np.uint8)
    pattern = templates[city]
    digits = rng.integers(ord("0"), ord("9") + 1, size=pattern.shape, dtype=np.uint8)
    letters = _POSTAL_LETTERS[rng.integers(0, len(_POSTAL_LETTERS), size=pattern.shape)]
    chars = np.where(pattern == ord("#"), digits, np.where(pattern == ord("@"), letters, pattern))
    return pa.array(np.ascontiguousarray(chars).view(f"S{width}").ravel()).cast(pa.string())


def _created_days(rng: np.random.Generator, period: Period, n: int, growth: float) -> np.ndarray:
    """Existing base spread evenly before the start, then acquisition growing with the business."""
    first, start, end = day_number(period.history_start), day_number(period.start), day_number(period.as_of)
    existing = rng.random(n) < EXISTING_SHARE
    years = (end - start + 1) / 365.25
    u = rng.random(n)
    g = np.log1p(growth)
    acquired = start + np.floor(np.log1p(u * np.expm1(g * years)) / g * 365.25).astype(np.int64)
    before = first + (u * (start - first)).astype(np.int64)
    return np.minimum(np.where(existing, before, acquired), end)


def _territories(rng: np.random.Generator, large: np.ndarray, tracked: np.ndarray) -> np.ndarray:
    shares = np.array([t.customer_share for t in TERRITORIES])
    territory = _choice(rng, shares, len(large))
    # Large clients are national accounts in the big markets (North America and Europe). The
    # declining and control clients among them are North American, so that their decline and the
    # region missing budget (Europe) are separate signals.
    untracked = np.setdiff1d(np.flatnonzero(large), tracked)
    for regions, members in ((LARGE_CLIENT_REGIONS, untracked), (("North America",), tracked)):
        allowed = np.array([t.region in regions for t in TERRITORIES])
        territory[members] = _choice(rng, shares * allowed, len(members))
    return territory


def _cities(rng: np.random.Generator, territory: np.ndarray) -> np.ndarray:
    city = np.empty(len(territory), dtype=np.int64)
    for t, terr in enumerate(TERRITORIES):
        members = np.flatnonzero(territory == t)
        candidates = [i for i, c in enumerate(CITIES) if c.territory_code == terr.code]
        city[members] = np.array(candidates)[
            _choice(rng, [CITIES[i].weight for i in candidates], len(members))
        ]
    return city


def _segments(rng: np.random.Generator, business: np.ndarray, large: np.ndarray) -> np.ndarray:
    segment = np.empty(len(business), dtype=np.int64)
    for kind, mask in ((INDIVIDUAL, ~business), (BUSINESS, business & ~large)):
        names = [s for s, (k, _) in SEGMENTS.items() if k == kind]
        picked = _choice(rng, [SEGMENTS[s][1].share for s in names], int(mask.sum()))
        segment[mask] = np.array([SEGMENT_NAMES.index(s) for s in names])[picked]
    big = [SEGMENT_NAMES.index(s) for s in LARGE_SEGMENTS]
    segment[large] = np.array(big)[rng.integers(0, len(big), int(large.sum()))]
    return segment


def _weights(
    rng: np.random.Generator, segment: np.ndarray, business: np.ndarray, large: np.ndarray
) -> np.ndarray:
    mean = np.array([p.weight for _, p in SEGMENTS.values()])[segment]
    shape = np.where(business, 4.0, 1.0)
    weight = mean * rng.gamma(shape) / shape
    return np.where(large, rng.lognormal(0.0, 0.35, len(segment)), weight)


def _industries(rng: np.random.Generator, segment: np.ndarray, business: np.ndarray) -> np.ndarray:
    """Industry index per customer, -1 for individuals; resellers are shops and clubs."""
    names = list(INDUSTRIES)
    industry = _choice(rng, [v[0] for v in INDUSTRIES.values()], len(segment))
    reseller = segment == SEGMENT_NAMES.index("Reseller")
    shops = np.array([names.index("Retail"), names.index("Sports clubs")])
    industry[reseller] = shops[(rng.random(int(reseller.sum())) < 0.3).astype(np.int64)]
    return np.where(business, industry, -1)


def _tracked(large: np.ndarray, weight: np.ndarray, signals: Signals) -> tuple[np.ndarray, np.ndarray]:
    """Declining and control clients: the biggest large clients (so that the decline shows in a
    top-clients chart), alternately assigned by size so that the two groups are comparable."""
    n = signals.declining_clients + signals.control_clients
    candidates = np.flatnonzero(large)
    by_size = candidates[np.argsort(-weight[candidates], kind="stable")][:n]
    return np.sort(by_size[0::2]), np.sort(by_size[1::2])


def build_customers(
    period: Period, signals: Signals, order_lines: int, rng: np.random.Generator
) -> Customers:
    n = customer_count(order_lines)
    n_large = LARGE_CLIENTS
    business = rng.random(n) < signals.business_share
    large = np.zeros(n, dtype=bool)
    large[np.flatnonzero(business)[:n_large]] = True

    segment = _segments(rng, business, large)
    weight = _weights(rng, segment, business, large)
    declining, controls = _tracked(large, weight, signals)
    territory = _territories(rng, large, np.concatenate([declining, controls]))
    city = _cities(rng, territory)
    industry = _industries(rng, segment, business)
    created = _created_days(rng, period, n, signals.volume_growth)
    large_latest = day_number(period.start - timedelta(days=90))
    created[large] = np.minimum(
        created[large], day_number(period.history_start) + rng.integers(0, 720, n_large)
    )
    created[large] = np.minimum(created[large], large_latest)
    until = np.full(n, day_number(period.as_of), dtype=np.int64)
    low, high = signals.silence_days
    until[declining] -= rng.integers(low, high + 1, len(declining))

    # CRM ids follow creation order.
    order = np.lexsort((rng.random(n), created))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    columns = _columns(rng, territory, city, segment, business, large, industry, created)
    ids = numbered("C", rank + 1, max(6, len(str(n))))
    columns["customer_id"] = ids
    table = table_from_columns(CUSTOMERS, columns).take(pa.array(order))
    region_of = np.array([REGIONS.index(t.region) for t in TERRITORIES])
    southern_of = np.array([t.code in SOUTHERN_TERRITORIES for t in TERRITORIES])
    return Customers(
        table=table,
        ids=table.column("customer_id").combine_chunks(),
        created_day=created[order],
        until_day=until[order],
        territory=territory[order],
        region=region_of[territory[order]],
        southern=southern_of[territory[order]],
        segment=segment[order],
        business=business[order],
        large=large[order],
        weight=weight[order],
        declining=np.sort(rank[declining]),
        controls=np.sort(rank[controls]),
    )


def _people(rng: np.random.Generator, language: np.ndarray) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Individuals' "First Last" names and first.last12@example.com e-mails; also the last names."""
    n = len(language)
    first = _Lookup([FIRST_NAMES[lang] for lang in LANGUAGES])
    last = _Lookup([LAST_NAMES[lang] for lang in LANGUAGES])
    fi, li = first.draw(rng, language), last.draw(rng, language)
    first_slug = pa.array([ascii_slug(v, "") for v in first.values.to_pylist()])
    last_slug = pa.array([ascii_slug(v, "") for v in last.values.to_pylist()])
    number = pa.array(rng.integers(1, 100, n)).cast(pa.string())
    suffix = pc.if_else(pa.array(rng.random(n) < 0.6), number, pa.scalar(""))
    domains = pa.array(PERSONAL_EMAIL_DOMAINS)
    domain = take(domains, rng.integers(0, len(domains), n))
    email = _join(take(first_slug, fi), ".", take(last_slug, li), suffix, "@", domain)
    last_names = take(last.values, li)
    return _join(take(first.values, fi), last_names, sep=" "), email, last_names


def _companies(
    rng: np.random.Generator, industry: np.ndarray, city: np.ndarray, large: np.ndarray, last_names: pa.Array
) -> tuple[pa.Array, pa.Array]:
    """Business names "<prefix or last name> <industry noun> <legal form>" and orders@<slug>.example."""
    n = len(industry)
    industries = list(INDUSTRIES.values())
    nouns = _Lookup([nouns for _, nouns, _ in industries])
    noun = take(nouns.values, nouns.draw(rng, np.maximum(industry, 0)))
    prefixes = pa.array(COMPANY_PREFIXES)
    prefix = rng.integers(0, len(prefixes), n)
    # Large clients get distinct names so that a top-clients chart reads well.
    prefix[large] = rng.permutation(len(prefixes))[: int(large.sum())]
    stem = pc.if_else(pa.array((rng.random(n) < 0.5) | large), take(prefixes, prefix), last_names)
    countries = list(LEGAL_FORMS)
    legal = _Lookup([LEGAL_FORMS[c] for c in countries])
    country = np.array([countries.index(c.country_code) for c in CITIES])[city]
    form = take(legal.values, legal.draw(rng, country))
    has_legal = pa.array(np.array([takes for _, _, takes in industries])[np.maximum(industry, 0)])
    name = _join(stem, noun, sep=" ")
    name = pc.if_else(has_legal, _join(name, form, sep=" "), name)
    slug = pc.utf8_lower(
        pc.replace_substring_regex(pc.utf8_normalize(_join(stem, noun), "NFKD"), "[^A-Za-z0-9]", "")
    )
    return name, _join("orders@", slug, ".example")


def _addresses(rng: np.random.Generator, language: np.ndarray) -> pa.Array:
    """ "12 Main Street", "12 rue Pasteur" or "Hauptstraße 12"."""
    streets = _Lookup([STREETS[lang] for lang in LANGUAGES])
    street = take(streets.values, streets.draw(rng, language))
    number = pa.array(rng.integers(1, 400, len(language))).cast(pa.string())
    number_first = pa.array(np.array([NUMBER_FIRST[lang] for lang in LANGUAGES])[language])
    return pc.if_else(number_first, _join(number, street, sep=" "), _join(street, number, sep=" "))


def _columns(
    rng: np.random.Generator,
    territory: np.ndarray,
    city: np.ndarray,
    segment: np.ndarray,
    business: np.ndarray,
    large: np.ndarray,
    industry: np.ndarray,
    created: np.ndarray,
) -> dict[str, pa.Array]:
    language = np.array([LANGUAGES.index(c.language) for c in CITIES])[city]
    country = take(pa.array([c.country_code for c in CITIES]), city)
    person, personal_email, last_names = _people(rng, language)
    company, business_email = _companies(rng, industry, city, large, last_names)
    reps = reps_by_territory()
    rep_ids = _Lookup([tuple(e.employee_id for e in reps[t.code]) for t in TERRITORIES])
    is_business = pa.array(business)
    no_email = ~business & (rng.random(len(business)) < NO_EMAIL_SHARE)
    return {
        "customer_name": pc.if_else(is_business, company, person),
        "customer_type": pc.if_else(is_business, pa.scalar(BUSINESS), pa.scalar(INDIVIDUAL)),
        "industry": take(pa.array(list(INDUSTRIES)), np.maximum(industry, 0), mask=~business),
        "segment": take(pa.array(SEGMENT_NAMES), segment),
        "email": pc.if_else(
            pa.array(no_email),
            pa.scalar(None, pa.string()),
            pc.if_else(is_business, business_email, personal_email),
        ),
        "address_line": _addresses(rng, language),
        "postal_code": _postal_codes(rng, city),
        "city": take(pa.array([c.city for c in CITIES]), city),
        "state_province": take(pa.array([c.state_province for c in CITIES]), city),
        "country_code": country,
        "created_date": date_array(created),
        "sales_rep_id": take(rep_ids.values, rep_ids.draw(rng, territory)),
    }
