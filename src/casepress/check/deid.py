"""The de-identification lint: identifiers of the patient in the text and in the images.

A case report is about one real person. Guided by the HIPAA Safe Harbor list of 18
identifiers, :func:`check_deidentification` looks for

* identifiers in every text field of the case: telephone and fax numbers, e-mail
  addresses that are not an author's, record and other ID numbers, dates of birth,
  ages over 89, street addresses and postal codes, place names used about the
  patient, URLs and IP addresses, and names of people who are not authors;
* identifying metadata in the figures' files and in any DICOM file of the case folder:
  EXIF GPS position, capture dates, serial numbers and owner names, XMP and IPTC
  creators, PNG text chunks, SVG metadata, DICOM patient and institution fields.

Every finding is a located warning ``deid-<kind>`` that quotes no more of the
identifier than it takes to find it (``'135…087'``). A finding the authors have
reviewed is acknowledged under ``checks.acknowledge`` (with the reason); an
acknowledgement that matches nothing is itself a warning, so ``--strict`` passes only
when every finding is resolved or acknowledged.

The text detectors are regular expressions keyed on formats (``+44 20 7946 0958``)
and cue words (``MRN``, ``born on``, ``Mrs``, ``lives in``) rather than on name or
place dictionaries: a detector that needs no cue would flag every surname in the
literature review. Precision matters as much as recall, because a lint that cries
wolf is switched off; ``tests/test_deid.py`` holds the reference case to no findings.

Stripping (the copies a build publishes) lives in :mod:`casepress.check.images`;
``strip_metadata`` and ``strip_bytes`` stay importable from here.
"""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from casepress.text import markup
from casepress.check.images import strip_bytes, strip_metadata  # stripping moved there; still importable from here
from casepress.core.diagnostics import (
    Diagnostics,
    FieldPath,
    Location,
    disabled_codes,
    display_path,
    format_path,
    suppressed,
    warning_code,
)

if TYPE_CHECKING:  # validate.py imports this module to register the check
    from casepress.model import Case
    from casepress.load.source import SourceDocument
    from casepress.check.validate import CaseContext

# =========================================================================== findings


@dataclass(frozen=True, slots=True)
class Finding:
    """One possible identifier, before acknowledgements and disabled kinds are applied."""

    kind: str
    """The kind, e.g. ``phone``; the diagnostic's code is ``deid-<kind>``."""
    text: str
    """The matched text in full (an acknowledgement may name it, or ``shown``)."""
    shown: str
    """How the message quotes it: masked for numbers, e-mail addresses and metadata values."""
    message: str
    """The diagnostic's message."""
    location: Location
    """Where it is: the character in case.yaml, or the figure's ``file`` field."""
    field: str | None
    """The field path in case.yaml (``figures[2].file``); None for a file no field names."""
    hint: str | None = None
    """What to do about it."""
    scope: str | None = None
    """What an acknowledgement's ``field`` is compared with: the field path, or for a file
    no field names (a DICOM file), its path in the case folder (``scans/ct.dcm``)."""

    @property
    def code(self) -> str:
        """The diagnostic code, ``deid-<kind>``."""
        return f"deid-{self.kind}"


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """One entry of ``checks.acknowledge``, read from the YAML as written."""

    index: int
    """Its position in the list (for the location of an unused acknowledgement)."""
    text: str
    """The acknowledged text: a finding's matched text or its quoted (masked) form."""
    field: str | None
    """The field path it is limited to, or None for anywhere."""

    def covers(self, finding: Finding) -> bool:
        """True when this acknowledgement accepts ``finding``."""
        if self.text not in (finding.text, finding.shown):
            return False
        if self.field is None:
            return True
        # A section or an item covers its fields: 'figures[2]' covers 'figures[2].file'.
        where = finding.scope or finding.field or ""
        return where == self.field or where.startswith((self.field + ".", self.field + "["))


# =========================================================================== text matching


@dataclass(frozen=True, slots=True)
class KnownPeople:
    """People (and their addresses) the text may name without identifying the patient."""

    emails: frozenset[str] = frozenset()
    """The authors' e-mail addresses, lower-cased."""
    full_names: frozenset[str] = frozenset()
    """Authors', editors' and reviewers' full names, lower-cased (``shuting zhang``)."""
    surnames: frozenset[str] = frozenset()
    """Name words of authors, editors, reviewers and cited authors, lower-cased."""
    cited: Mapping[str, frozenset[str]] | None = None
    """For each bibliography key, the lower-cased family-name words of its authors."""


def mask(text: str) -> str:
    """Keep a few characters at each end: ``13573603087`` -> ``135…087``, ``Jane`` -> ``J…e``."""
    if len(text) <= 3:
        return text[:1] + "…"
    keep = 3 if len(text) >= 10 else 2 if len(text) >= 6 else 1
    return f"{text[:keep]}…{text[-keep:]}"


def mask_digits(text: str) -> str:
    """Mask a number by its digits alone, so spacing and punctuation do not count."""
    digits = re.sub(r"\D", "", text)
    return mask(digits or text)


def mask_email(text: str) -> str:
    """``jane.doe@hospital.org`` -> ``j…@hospital.org``: the domain says where, not who."""
    local, _, domain = text.partition("@")
    return f"{local[:1]}…@{domain}"


def show_url(text: str) -> str:
    """A URL by its host only: ``https://example.org/…``."""
    match = re.match(r"((?:[a-z][a-z0-9+.-]*://)?[^/?#]+)(.*)", text, re.IGNORECASE)
    if match is None:
        return mask(text)
    return match.group(1) + ("/…" if match.group(2).strip("/") else "")


def as_is(text: str) -> str:
    """Names, places and ages are quoted in full: the author needs to see which one."""
    return text


# --- shared pieces of the patterns -------------------------------------------------------

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# Dates with a day or a month: the elements Safe Harbor removes (a year alone may stay).
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+{_DAY},?\s+\d{{4}}"
    rf"|{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+{_DAY}\b"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTHS}\b"
    r"|\d{4}[-/.]\d{1,2}\b)"
)
_YEAR = r"(?:1[89]|20)\d{2}\b"

# Units after a number make it a measurement, not an identifier.
_UNIT_AFTER = (
    r"(?!\s*(?:/|%|‰|°|×|x\s*10|[µμ]|[a-zA-Z]{1,5}/|(?:IU|U|copies|cells|mg|g|kg|ng|pg|mL|ml|"
    r"L|dL|cGy|Gy|mm|cm|m|bp|kb|Mb|Da|kDa|mmol|mol|h|min|s|days?|weeks?|months?|years?)\b))"
)

# Capitalised words that follow a cue without being a name or a place (a word list reads
# best as text, hence the split).
_STOPWORDS = frozenset(
    """
    a an the this that these those she he her his hers him they their them it its we our us i
    you your and or but nor with without in on at of for from to by into onto after before
    during since until when while where whom whose who which what was were is are be been had
    has have did does do not no yes none also then later however therefore thus initially
    subsequently finally here there patient patients case cases group groups figure fig table
    tbl day days week weeks month months year years grade stage type class score level informed
    written consent information perspective history care health hospital hospitals clinic
    department university medical medicine center centre school central general national
    state province country region area one two three four five six seven eight nine ten
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday spring summer autumn winter
    mr mrs ms miss mx dr prof professor doctor et al ward unit room bed intensive emergency
    surgery theatre english chinese
    """.split()  # noqa: SIM905
)

# Words after a name that make it an eponym ('Paget disease', 'Virchow's node').
_EPONYM_AFTER = re.compile(
    r"(?:'s|’s|')?[\s-]+(?:disease|syndrome|disorder|sign|test|score|scale|criteria|criterion|"
    r"classification|stage|staging|grade|grading|node|nodes|triad|phenomenon|procedure|"
    r"operation|technique|method|reaction|cells?|bod(?:y|ies)|tumou?r|lymphoma|sarcoma|"
    r"carcinoma|thyroiditis|anomaly|malformation|palsy|fracture|ulcer|ratio|index|law|"
    r"protocol|regimen|trial|study|equation|formula|approach|manoeuvre|maneuver|incision|"
    r"position|line|membrane|duct|capsule|stain|staining|hernia|cyst|effect|proteins?|nodules?|curves?|analysis|et\s+al)\b",
    re.IGNORECASE,
)

_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?\.?")


def name_at(text: str, pos: int, max_words: int = 3) -> tuple[int, int] | None:
    """The span of a personal name starting at ``pos``: capitalised words (initials allowed).

    Returns None when the first word is not capitalised, is a stopword or an
    acronym (``ECOG``), or when the name is an eponym (``Paget disease``).
    """
    words: list[tuple[int, int, bool]] = []  # (start, end, is an initial)
    cursor = pos
    while len(words) < max_words:
        match = _WORD.match(text, cursor)
        if match is None:
            break
        word = match.group(0)
        bare = word.rstrip(".")
        possessive = bare.endswith(("'s", "’s"))
        bare = bare[:-2] if possessive else bare
        initial = len(bare) == 1 and bare.isupper()
        if not initial:
            # A name word is capitalised, has lower-case letters (not an acronym) and no digits.
            if (
                not bare[0].isupper()
                or bare.lower() in _STOPWORDS
                or not any(c.islower() for c in bare)
            ):
                break
            end = match.start() + len(bare)  # a full stop after a word ends the sentence
            if re.match(r"-?\d", text[end : end + 2]):
                break  # 'Ki-67', 'Ki67': a marker, not a name
        else:
            end = match.end()
        words.append((match.start(), end, initial))
        gap = re.match(r"[ \t]+|\n(?!\n)", text[end:])  # a name never spans paragraphs
        if gap is None or possessive:
            break
        cursor = end + len(gap.group(0))
    while words and words[-1][2]:
        words.pop()  # a trailing initial belongs to the next sentence more often than to the name
    if not words or all(initial for _, _, initial in words):
        return None
    end = words[-1][1]
    if _EPONYM_AFTER.match(text, end):
        return None
    return pos, end


def _regex_finder(
    pattern: str, flags: int = 0, group: str | int = 0, check: Callable[[str], bool] | None = None
) -> Callable[[str, KnownPeople], Iterator[tuple[int, int]]]:
    compiled = re.compile(pattern, flags)

    def find(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
        for match in compiled.finditer(text):
            start, end = match.span(group)
            if start == -1 or start == end:
                continue
            if check is None or check(text[start:end]):
                yield start, end

    return find


def _digits_between(low: int, high: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return low <= sum(c.isdigit() for c in value) <= high

    return check


def _over_89(value: str) -> bool:
    numbers = re.findall(r"\d+", value)
    # Spelled-out ages ('nonagenarian', 'ninety-two-year-old') carry no digits: all over 89.
    return not numbers or 89 < int(numbers[0]) <= 130


# --- the detectors -----------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)


def _find_emails(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    for match in _EMAIL.finditer(text):
        if match.group(0).lower() not in known.emails:
            yield match.span()


_URL = re.compile(
    r"\b(?:https?://|ftp://|www\.)[^\s<>()\[\]\"'`]+(?:\([^\s()]*\)[^\s<>()\[\]\"'`]*)*",
    re.IGNORECASE,
)


def _find_urls(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?*_")
        # A DOI link names an article, not a person.
        if re.match(r"(?:https?://)?(?:dx\.)?doi\.org/", url, re.IGNORECASE):
            continue
        yield match.start(), match.start() + len(url)


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?!\.?\d|\w)"
_IPV6 = (
    r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?)(?![\w:])"
)

_SSN = r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"

# Cue words of numbers that belong to the patient (record, insurance, identity documents).
_ID_PATIENT_CUE = (
    r"(?:MRN|SSN|medical\s+record(?:\s+(?:number|no\.?|#))?|social\s+security\s+(?:number|no\.?)|"
    r"(?:hospital|health|patient|inpatient|outpatient|admission|chart|case|record|"
    r"account|billing|insurance|policy|member(?:ship)?|beneficiary|health\s+plan|NHS|CHI|"
    r"Medicare|Medicaid|passport|national\s+ID|ID\s+card|identity\s+card|driver'?s\s+licen[cs]e|"
    r"bed)\s+(?:number|no\.?|#|ID)|patient\s+identifier)"
)
# Cue words of other identifying numbers (licences, certificates, devices, vehicles).
_ID_OTHER_CUE = (
    r"(?:VIN|(?:licen[cs]e|certificate|serial|device|vehicle\s+identification|plate|"
    r"registration\s+plate|employee|staff|student|ID)\s+(?:number|no\.?|#|ID))"
)
_ID_VALUE = r"(?P<v>[A-Z]{0,4}[-/ ]?\d[\dA-Z/-]{2,}\b)"


def _id_finder(cue: str) -> Callable[[str, KnownPeople], Iterator[tuple[int, int]]]:
    return _regex_finder(
        rf"\b{cue}\s*(?:[:#=]|is|was|of)?\s*{_ID_VALUE}", re.IGNORECASE, "v", _digits_between(4, 20)
    )


_LONG_NUMBER = rf"(?<![\w.,/+-])\d{{7,}}(?![\w.,]\d|\d|-\d){_UNIT_AFTER}"

_PHONE_CUED = (
    r"\b(?:tel(?:ephone)?|phone(?:\s+number)?|mobile(?:\s+(?:phone|number))?|cell\s*phone|"
    r"fax(?:\s+number)?|contact\s+number)\b\.?\s*(?:no\.?|number|#)?\s*[:.]?\s*"
    r"(?P<v>\+?\(?\d[\d\s().-]{4,18}\d)"
)


def _phone_digits(value: str) -> bool:
    """8 to 15 digits, and not a run of years ('2013 2014 2015')."""
    groups = re.findall(r"\d+", value)
    if all(re.fullmatch(r"(?:19|20)\d\d", g) for g in groups):
        return False
    return 8 <= sum(len(g) for g in groups) <= 15


_PHONE_FORMATS = (
    # International: +86 536 1234567, +44 (0)20 7946 0958.
    r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?!\w)",
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567.
    r"(?<!\w)\(\d{3}\)\s?\d{3}[\s.-]\d{4}(?!\d)",
    r"(?<![\w.-])\d{3}[.-]\d{3}[.-]\d{4}(?![\w-]|\.\d)",
    # Grouped digits: 555 123 4567, 0207 946 0958.
    r"(?<![\w.,-])\d{3,4}\s\d{3,4}\s\d{4}(?![\w.,]\d|\d)",
    # Chinese mobile numbers: eleven digits starting 13-19.
    r"(?<![\w.,+-])1[3-9]\d{9}(?!\w)",
    # Landlines with a trunk prefix: 0536-8462123, (020) 7946 0958.
    r"(?<![\w.-])\(?0\d{2,4}\)?[\s-]\d{3,4}[\s-]?\d{3,4}(?![\w-]|\.\d)",
)

# After an age, these make it a group or a range ('aged 90 or older') or not years at all.
_AGE_NOT_ONE_PERSON_AFTER = re.compile(
    r"\s*(?:[-–—]\s*\d|to\s+\d|(?:years?\s+)?(?:and|or)\s+(?:older|over|above|more)|\+|"
    r"(?:days?|weeks?|wks?|months?|mos?)\b)",
    re.IGNORECASE,
)
# Before an age, these make it a group ('patients aged 95').
_AGE_GROUP_BEFORE = re.compile(
    r"\b(?:patients|people|persons|individuals|those|adults|women|men|subjects|cases|cohort|"
    r"population|participants|elderly)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _find_ages(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    """Ages over 89 of one person; group ages and ranges are statistics, not identifiers."""
    for match in _AGE.finditer(text):
        if not _over_89(match.group(0)):
            continue
        if _AGE_NOT_ONE_PERSON_AFTER.match(text, match.end()):
            continue
        if _AGE_GROUP_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
            continue
        yield match.span()


_AGE_PATTERNS = (
    r"(?<![\d.,])\d{2,3}\s*[-‐‑–]?\s*(?:years?|yrs?|y)\s*[-‐‑–]?\s*old\b",
    r"(?<![\d.,])\d{2,3}\s*(?:years?|yrs?)\s+of\s+age\b",
    r"\b(?:aged|age(?:\s+of)?|age\s*:)\s*\d{2,3}(?!\d|[.,]\d|\s*(?:%|th\b|st\b|nd\b|rd\b))",
    r"(?<![\d.,])\d{2,3}\s*(?:yo|y/o|y\.o\.)(?!\w)",
    r"\b(?:nonagenarian|centenarian|supercentenarian)\b",
    r"\bin\s+(?:his|her|their)\s+(?:nineties|90s|hundreds)\b",
    r"\bninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?[- ]years?[- ]old\b",
)
_AGE = re.compile("|".join(f"(?:{p})" for p in _AGE_PATTERNS), re.IGNORECASE)

_STREET_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|"
    r"Terrace|Crescent|Close|Highway|Hwy|Square|Sq|Parkway|Pkwy|Way|Alley|Row|Gardens|Grove|"
    r"Lu|Jie|Dao|Hutong)"
)
_STREET_PATTERNS = (
    # 221B Baker Street, 12 Xinhua Road, No. 5 Heping Jie.
    (
        rf"(?<![\w.,])\d{{1,5}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+"
        rf"(?:[A-Z][\w'’.-]*\s+){{1,4}}?{_STREET_SUFFIX}\b\.?"
    ),
    # Hauptstraße 5.
    r"\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|gasse|weg|platz|allee)\s+\d{1,4}[a-z]?\b",
    # P.O. Box 12, Apt 4B, Suite 100.
    r"\b(?:P\.?\s?O\.?\s?Box|Apt\.?|Apartment|Suite|Flat)\s*#?\s*\d+[A-Za-z]?\b",
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_POSTCODE_PATTERNS = (
    (
        (
            r"\b(?:zip(?:\s*code)?|post(?:al)?\s*code|postcode)\s*[:#]?\s*"
            r"(?P<v>[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9])"
        ),
        re.IGNORECASE,
    ),
    (rf"\b(?:{_US_STATES}),?\s+(?P<v>\d{{5}}(?:-\d{{4}})?)(?![\w.,]\d|\d){_UNIT_AFTER}", 0),
    (r"\b(?P<v>(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s\d[ABD-HJLNP-UW-Z]{2})\b", 0),
    (r"\b(?P<v>[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s\d[ABCEGHJ-NPRSTV-Z]\d)\b", 0),
)

_PLACE_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+"
_PLACE = rf"{_PLACE_WORD}(?:[ -]{_PLACE_WORD}){{0,3}}"
_PLACE_CUES = (
    (
        r"(?i:\b(?:(?:lives|lived|living|resides|resided|residing|resident|native|hometown|"
        r"home\s+town|moved|relocated)(?:\s+(?:alone|here|there))?\s+(?:in|at|near|of|to|from)|"
        r"(?:came|comes|originally|hails)\s+from|(?:village|town)\s+(?:of|in|called))"
        r"\s+(?:the\s+)?)"
    ),
    (
        r"\b(?:patient|woman|man|lady|gentleman|girl|boy|child|infant|farmer|worker|retiree|"
        r"student|teacher|resident)\s+from\s+(?:the\s+)?"
    ),
)
_PLACE_UNIT = re.compile(
    rf"{_PLACE_WORD}(?:\s{_PLACE_WORD}){{0,2}}\s"
    r"(?:City|County|District|Village|Township|Town|Borough|Prefecture|Parish|Municipality)\b"
)


# Safe Harbor keeps states and countries: a patient 'from Nigeria' or living 'in Shandong'
# is not identified by it. Continents, countries, and the first-level divisions of the
# countries whose case reports are most common (a list of regions, not of people).
_REGIONS = frozenset(
    name.strip().lower()
    for name in """
    Africa, Antarctica, Asia, Europe, America, North America, South America, Latin America,
    Central America, Oceania, Australasia, Middle East, Caribbean, Scandinavia, Balkans,
    Afghanistan, Albania, Algeria, Andorra, Angola, Argentina, Armenia, Australia, Austria,
    Azerbaijan, Bahamas, Bahrain, Bangladesh, Barbados, Belarus, Belgium, Belize, Benin, Bhutan,
    Bolivia, Bosnia, Bosnia and Herzegovina, Botswana, Brazil, Brunei, Bulgaria, Burkina Faso,
    Burundi, Cambodia, Cameroon, Canada, Cape Verde, Chad, Chile, China, Colombia, Comoros,
    Congo, Costa Rica, Croatia, Cuba, Cyprus, Czechia, Czech Republic, Denmark, Djibouti,
    Dominica, Dominican Republic, Ecuador, Egypt, El Salvador, Eritrea, Estonia, Eswatini,
    Ethiopia, Fiji, Finland, France, Gabon, Gambia, Georgia, Germany, Ghana, Greece, Grenada,
    Guatemala, Guinea, Guyana, Haiti, Honduras, Hong Kong, Hungary, Iceland, India, Indonesia,
    Iran, Iraq, Ireland, Israel, Italy, Ivory Coast, Jamaica, Japan, Jordan, Kazakhstan, Kenya,
    Korea, South Korea, North Korea, Kosovo, Kuwait, Kyrgyzstan, Laos, Latvia, Lebanon, Lesotho,
    Liberia, Libya, Liechtenstein, Lithuania, Luxembourg, Macau, Macao, Madagascar, Malawi,
    Malaysia, Maldives, Mali, Malta, Mauritania, Mauritius, Mexico, Moldova, Monaco, Mongolia,
    Montenegro, Morocco, Mozambique, Myanmar, Namibia, Nepal, Netherlands, New Zealand,
    Nicaragua, Niger, Nigeria, North Macedonia, Norway, Oman, Pakistan, Palestine, Panama,
    Papua New Guinea, Paraguay, Peru, Philippines, Poland, Portugal, Puerto Rico, Qatar,
    Romania, Russia, Rwanda, Samoa, San Marino, Saudi Arabia, Senegal, Serbia, Seychelles,
    Sierra Leone, Singapore, Slovakia, Slovenia, Somalia, South Africa, South Sudan, Spain,
    Sri Lanka, Sudan, Suriname, Sweden, Switzerland, Syria, Taiwan, Tajikistan, Tanzania,
    Thailand, Timor-Leste, Togo, Tonga, Trinidad, Trinidad and Tobago, Tunisia, Turkey,
    Turkiye, Türkiye, Turkmenistan, Uganda, Ukraine, United Arab Emirates, United Kingdom,
    United States, United States of America, Uruguay, Uzbekistan, Vanuatu, Venezuela, Vietnam,
    Viet Nam, Yemen, Zambia, Zimbabwe, Britain, Great Britain, England, Scotland, Wales,
    Northern Ireland, Holland,
    Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, Florida,
    Hawaii, Idaho, Illinois, Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine, Maryland,
    Massachusetts, Michigan, Minnesota, Mississippi, Missouri, Montana, Nebraska, Nevada,
    New Hampshire, New Jersey, New Mexico, New York, North Carolina, North Dakota, Ohio,
    Oklahoma, Oregon, Pennsylvania, Rhode Island, South Carolina, South Dakota, Tennessee,
    Texas, Utah, Vermont, Virginia, Washington, West Virginia, Wisconsin, Wyoming,
    Anhui, Beijing, Chongqing, Fujian, Gansu, Guangdong, Guangxi, Guizhou, Hainan, Hebei,
    Heilongjiang, Henan, Hubei, Hunan, Inner Mongolia, Jiangsu, Jiangxi, Jilin, Liaoning,
    Ningxia, Qinghai, Shaanxi, Shandong, Shanghai, Shanxi, Sichuan, Tianjin, Tibet, Xinjiang,
    Yunnan, Zhejiang,
    Alberta, British Columbia, Manitoba, New Brunswick, Newfoundland, Nova Scotia, Ontario,
    Quebec, Saskatchewan, Yukon, Nunavut, Northwest Territories, Prince Edward Island,
    Queensland, New South Wales, Victoria, Tasmania, Western Australia, South Australia,
    Bavaria, Lombardy, Catalonia, Andalusia
    """.split(",")  # noqa: SIM905 - a list of places reads best as text
)


def _is_place_word(word: str) -> bool:
    return word.lower() not in _STOPWORDS and not re.fullmatch(_MONTHS, word)


def _is_region(place: str) -> bool:
    """True when the place, or its first words ('Shandong Province'), is a state or country."""
    words = place.replace("-", " ").split()
    return any(" ".join(words[:n]).lower() in _REGIONS for n in range(1, len(words) + 1))


def _place_after(cue: str) -> Callable[[str, KnownPeople], Iterator[tuple[int, int]]]:
    """Places named after a residence cue ('lives in Weifang', 'a farmer from Anqiu')."""
    compiled = re.compile(cue + f"(?P<place>{_PLACE})")

    def find(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
        for match in compiled.finditer(text):
            place = match.group("place")
            if _is_place_word(place.split()[0].split("-")[0]) and not _is_region(place):
                yield match.span("place")

    return find


def _find_place_units(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    """Administrative units below a state: 'Weifang City', 'Kuiwen District'."""
    for match in _PLACE_UNIT.finditer(text):
        start = match.start()
        # 'The Weifang City', 'Health District': leading non-place words are not the place.
        for word in match.group(0).split()[:-1]:
            if _is_place_word(word):
                break
            start += len(word) + 1
        if start < match.end() - len(match.group(0).split()[-1]) - 1:
            yield start, match.end()


_LAY_TITLE = r"\b(?:Mr|Mrs|Ms|Miss|Mx|Mister|Madam|Master)\b\.?\s+"
_ACADEMIC_TITLE = r"\b(?:Dr|Doctor|Prof|Professor)\b\.?\s+"
_NAME_CUES = (
    r"\bpatient,?\s+",
    # 'named', 'called' and 'known as' name drugs and techniques as often as people: only
    # after a person ('a girl named', 'she was called').
    (
        r"(?i:\b(?:man|woman|lady|boy|girl|patient|person|child|infant|baby|husband|wife|son|"
        r"daughter|mother|father|brother|sister|friend|neighbou?r|he|she|who)\b(?:\s+\w+){0,3}?"
        r",?\s+(?:named|nicknamed|surnamed|called|known\s+as|alias)\s+)"
    ),
    (
        r"(?i:\b(?:his|her|their|patient'?s)\s+(?:full\s+|first\s+|last\s+|given\s+|family\s+)?"
        r"(?:sur)?name\s+(?:is|was)\s+)"
    ),
    # 'Name: ...' as in a form; 'trade name:', 'brand name:' name products.
    (
        r"(?i:(?<![\w-])(?<!trade\s)(?<!brand\s)(?<!generic\s)(?<!drug\s)(?<!gene\s)"
        r"(?<!product\s)(?<!common\s)(?<!scientific\s)(?<!file\s)(?<!user\s)"
        r"(?:patient'?s\s+)?(?:full\s+|first\s+|last\s+|given\s+|family\s+)?(?:sur)?name\s*[:=]\s*)"
    ),
    (
        r"\b(?:husband|wife|son|daughter|mother|father|brother|sister|sibling|partner|spouse|"
        r"fianc[ée]e?|boyfriend|girlfriend|grandson|granddaughter|grandmother|grandfather|"
        r"grandparent|niece|nephew|aunt|uncle|cousin|friend|neighbou?r|employer|colleague|"
        r"caregiver|carer|guardian),?\s+"
    ),
)


def _name_finder(
    cue: str, include_cue: bool, academic: bool
) -> Callable[[str, KnownPeople], Iterator[tuple[int, int]]]:
    compiled = re.compile(cue)

    def find(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
        for match in compiled.finditer(text):
            span = name_at(text, match.end())
            if span is None:
                continue
            name = text[span[0] : span[1]]
            if _is_known_person(name, text, span[1], known, academic):
                continue
            yield (match.start() if include_cue else span[0]), span[1]

    return find


def _name_words(name: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_][\w'’-]*[^\W\d_]", name)]


def _is_known_person(name: str, text: str, end: int, known: KnownPeople, academic: bool) -> bool:
    """True when the name is an author, editor or reviewer, or a cited author.

    'Dr Zhang' is most likely an author or a cited colleague when Zhang is one of
    theirs; 'Mrs Zhang' or 'patient Zhang' is the patient unless a citation in the
    same sentence names a Zhang, so lay titles and cues need that stronger evidence.
    """
    words = _name_words(name)
    if not words:
        return True
    if " ".join(words) in known.full_names:
        return True
    if academic and any(w in known.surnames for w in words):
        return True
    sentence_end = re.search(r"[.!?](?:\s|$)", text[end:])
    stop = end + (sentence_end.start() if sentence_end else len(text) - end)
    for group in markup.scan(text[end:stop]):
        for item in group.items:
            key = getattr(item, "key", None)
            if key and known.cited and any(w in known.cited.get(key, frozenset()) for w in words):
                return True
    return False


# Identifiers of articles, trials, genes and variants: never the patient's.
_SAFE_CUES = re.compile(
    r"\b(?:OMIM|MIM|PMID|PMCID|PubMed(?:\s+ID)?|NCT|ISRCTN|ChiCTR|EudraCT|DOI|ISBN|ISSN|ORCID|"
    r"GenBank|RefSeq|UniProt|HGNC|Entrez(?:\s+Gene)?|Gene\s+ID|ClinVar|dbSNP|COSMIC|PROSPERO|"
    r"CRD|ICD(?:-\d+)?(?:-CM)?|rs|(?i:doi))\s*(?:ID|No\.?|number)?\s*[:#]?\s*[A-Za-z]*\d[\w./:-]*",
)


@dataclass(frozen=True, slots=True)
class Detector:
    """One way of finding one kind of identifier in text."""

    name: str
    """A short name, used by the field contexts (see CONTEXTS)."""
    kind: str
    """The finding's kind; its code is ``deid-<kind>``."""
    label: str
    """What the message calls it, e.g. ``telephone or fax number``."""
    find: Callable[[str, KnownPeople], Iterable[tuple[int, int]]]
    """The spans of the identifiers in a text."""
    show: Callable[[str], str]
    """How to quote a match without printing more of it than needed."""


@dataclass(frozen=True, slots=True)
class Match:
    """One identifier found inside a string."""

    detector: Detector
    """The detector that found it."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset just past it."""


DETECTORS: tuple[Detector, ...] = (
    # Earlier detectors win where two overlap: an e-mail address holds digits that would
    # otherwise read as a phone number, a URL holds words that would read as a place.
    Detector("email", "email", "e-mail address", _find_emails, mask_email),
    Detector("url", "url", "URL", _find_urls, show_url),
    Detector(
        "ip",
        "ip",
        "IP address",
        _regex_finder(f"{_IPV4}|{_IPV6}", check=_digits_between(1, 39)),
        mask,
    ),
    Detector(
        "birth-date",
        "birth-date",
        "date of birth",
        _regex_finder(
            rf"\b(?:date\s+of\s+birth|birth\s*date|birthday|D\.?O\.?B\b\.?)\s*"
            rf"(?:[:=,-]|is|was|of)?\s*(?P<d>{_DATE}|{_YEAR})",
            re.IGNORECASE,
            "d",
        ),
        mask,
    ),
    Detector(
        "born",
        "birth-date",
        "date of birth",
        _regex_finder(rf"\bborn\s+(?:on\s+(?:the\s+)?|in\s+)?(?P<d>{_DATE})", re.IGNORECASE, "d"),
        mask,
    ),
    Detector("ssn", "id-number", "social security-like number", _regex_finder(_SSN), mask_digits),
    Detector("id-patient", "id-number", "record or ID number", _id_finder(_ID_PATIENT_CUE), mask),
    Detector(
        "id-other",
        "id-number",
        "licence, certificate or serial number",
        _id_finder(_ID_OTHER_CUE),
        mask,
    ),
    Detector(
        "phone-cued",
        "phone",
        "telephone or fax number",
        _regex_finder(_PHONE_CUED, re.IGNORECASE, "v", _digits_between(7, 15)),
        mask_digits,
    ),
    Detector(
        "phone",
        "phone",
        "telephone or fax number",
        _regex_finder("|".join(f"(?:{p})" for p in _PHONE_FORMATS), check=_phone_digits),
        mask_digits,
    ),
    Detector(
        "street",
        "address",
        "street address",
        _regex_finder("|".join(f"(?:{p})" for p in _STREET_PATTERNS)),
        mask,
    ),
    *(
        Detector(
            "postcode",
            "geo",
            "postal code",
            _regex_finder(pattern, flags, "v", _digits_between(1, 9)),
            mask,
        )
        for pattern, flags in _POSTCODE_PATTERNS
    ),
    Detector("age", "age-over-89", "age over 89", _find_ages, as_is),
    Detector("name-lay", "name", "personal name", _name_finder(_LAY_TITLE, True, False), as_is),
    Detector(
        "name-academic", "name", "personal name", _name_finder(_ACADEMIC_TITLE, True, True), as_is
    ),
    *(
        Detector("name-cued", "name", "personal name", _name_finder(cue, False, False), as_is)
        for cue in _NAME_CUES
    ),
    *(Detector("place-cued", "geo", "place name", _place_after(cue), as_is) for cue in _PLACE_CUES),
    Detector("place-unit", "geo", "place name", _find_place_units, as_is),
    Detector(
        "long-number", "id-number", "long number (an ID?)", _regex_finder(_LONG_NUMBER), mask_digits
    ),
)
"""Every text detector, in priority order."""

_ALL = frozenset(d.name for d in DETECTORS)

CONTEXTS: dict[str, frozenset[str]] = {
    # Clinical prose is about the patient: everything is looked for.
    "clinical": _ALL,
    # Statements (funding, ethics, acknowledgements) name grants, approvals, colleagues and
    # links legitimately; patient identifiers and lay-titled names are still looked for.
    "declarations": _ALL - {"url", "ip", "long-number", "id-other", "place-unit", "name-academic"},
    # Front matter describes the article and its people (affiliations name cities, the
    # citation holds page numbers): only identifiers that can only be the patient's.
    "front": frozenset(
        {"email", "ssn", "id-patient", "birth-date", "born", "age", "name-lay", "name-cued"}
    ),
    # Free text in image metadata (descriptions, comments, SVG titles).
    "metadata": _ALL - {"url", "ip"},
}
"""Which detectors run in which kind of field."""

_FRONT_SECTIONS = frozenset({"affiliations", "review", "publication", "source", "license"})
_SKIPPED_SECTIONS = frozenset(
    {
        "schema_version",
        "journal",
        "csl",
        "language",
        "bibliography",
        "doi",
        "dates",
        "checks",
        "authors",
        "article_type",
    }
)
"""Top-level keys holding no prose: settings, ids, the authors (see KnownPeople), ``checks``."""
_SKIPPED_KEYS = frozenset(
    {
        "id",
        "file",
        "doi",
        "orcid",
        "email",
        "url",
        "initials",
        "date",
        "after",
        "before",
        "offset",
        "care",
        "generate",
        "width",
        "kind",
        "type",
        "flag",
        "sex",
        "age_unit",
    }
)
"""Keys holding identifiers of the case's own parts, file names, links and enumerations."""

_HINTS = {
    "age-over-89": "Safe Harbor aggregates ages over 89: write '90 years or older'",
    "birth-date": "give the age at presentation instead of the date of birth",
    "geo": (
        "name no place smaller than a state or province; if it is not about the patient "
        "(e.g. the hospital's city), acknowledge it under checks.acknowledge"
    ),
    "name": "refer to people by role ('the patient', 'her husband'); cite literature with [@key]",
}
_DEFAULT_HINT = "remove it, or acknowledge it under checks.acknowledge with the reason"


def _context(path: FieldPath) -> str:
    section = path[0] if path else ""
    if section in _FRONT_SECTIONS:
        return "front"
    if section == "declarations":
        return "declarations"
    return "clinical"


def _safe_spans(text: str, known: KnownPeople) -> list[tuple[int, int]]:
    """Spans no detector may report: citations, cross-references, article and gene ids."""
    spans = [(g.start, g.end) for g in markup.scan(text)]
    spans += [m.span() for m in _SAFE_CUES.finditer(text)]
    spans += [m.span() for m in _EMAIL.finditer(text) if m.group(0).lower() in known.emails]
    return spans


def _overlaps(span: tuple[int, int], taken: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def scan_text(text: str, context: str, known: KnownPeople) -> list[Match]:
    """Every identifier in ``text`` that ``context``'s detectors find, in text order.

    Matches never overlap each other or a safe span; where two detectors claim the
    same characters, the earlier one in DETECTORS wins.
    """
    enabled = CONTEXTS[context]
    taken = _safe_spans(text, known)
    found: list[Match] = []
    for detector in DETECTORS:
        if detector.name not in enabled:
            continue
        for start, end in detector.find(text, known):
            if not _overlaps((start, end), taken):
                taken.append((start, end))
                found.append(Match(detector, start, end))
    return sorted(found, key=lambda m: m.start)


def iter_text_fields(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string of the case that is text (not an id, a file name, a link or a setting)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if (not path and key in _SKIPPED_SECTIONS) or key in _SKIPPED_KEYS:
                continue
            yield from iter_text_fields(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_text_fields(value, path + (index,))


_SCANS: dict[tuple[str, str, int], list[Match]] = {}
"""Scan results by (text, context, known people): a rebuild after an edit (watch mode)
rescans only the strings that changed. Bounded: cleared when it grows large."""


def _known_key(known: KnownPeople) -> int:
    cited = tuple(sorted((k, tuple(sorted(v))) for k, v in (known.cited or {}).items()))
    return hash((known.emails, known.full_names, known.surnames, cited))


def text_findings(doc: SourceDocument, known: KnownPeople) -> list[Finding]:
    """Identifiers in the case's text fields, each at its exact line and column."""
    findings: list[Finding] = []
    people = _known_key(known)
    if len(_SCANS) > 20_000:
        _SCANS.clear()
    for path, text in iter_text_fields(doc.data):
        key = (text, _context(path), people)
        if key not in _SCANS:
            _SCANS[key] = scan_text(text, key[1], known)
        for match in _SCANS[key]:
            detector = match.detector
            matched = text[match.start : match.end]
            shown = detector.show(matched)
            findings.append(
                Finding(
                    detector.kind,
                    matched,
                    shown,
                    f"{detector.label} '{shown}'",
                    doc.location_in_text(path, match.start),
                    format_path(path),
                    _HINTS.get(detector.kind, _DEFAULT_HINT),
                )
            )
    return findings


def demographics_findings(doc: SourceDocument) -> list[Finding]:
    """The structured age, when it is over 89 years."""
    path = ("patient_information", "demographics", "age")
    age = doc.value_at(path)
    unit = doc.value_at(("patient_information", "demographics", "age_unit")) or "years"
    if isinstance(age, int) and not isinstance(age, bool) and unit == "years" and 89 < age <= 130:
        return [
            Finding(
                "age-over-89",
                str(age),
                str(age),
                f"age over 89 '{age}'",
                doc.location(path),
                format_path(path),
                _HINTS["age-over-89"],
            )
        ]
    return []


# =========================================================================== known people


def known_people(data: Any, case_dir: Path, project_root: Path | None = None) -> KnownPeople:
    """Authors, editors, reviewers and cited authors of the case, read from the raw YAML."""
    data = data if isinstance(data, dict) else {}
    emails: set[str] = set()
    full_names: set[str] = set()
    surnames: set[str] = set()
    for author in _dicts(data.get("authors")):
        if isinstance(author.get("email"), str):
            emails.add(author["email"].strip().lower())
        given, family = author.get("given"), author.get("family")
        if isinstance(given, str) and isinstance(family, str):
            full_names.add(" ".join(_name_words(f"{given} {family}")))
            full_names.add(" ".join(_name_words(f"{family} {given}")))  # family-first usage
        if isinstance(family, str):
            surnames.update(_name_words(family))
    review = data.get("review") if isinstance(data.get("review"), dict) else {}
    for role in ("edited_by", "reviewed_by"):
        for person in _dicts(review.get(role)):
            if isinstance(person.get("name"), str):
                words = _name_words(person["name"])
                full_names.add(" ".join(words))
                surnames.update(words)
    cited = _cited_surnames(data, case_dir, project_root)
    for names in cited.values():
        surnames.update(names)
    return KnownPeople(frozenset(emails), frozenset(full_names), frozenset(surnames), cited)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _cited_surnames(data: dict[str, Any], case_dir: Path, project_root: Path | None) -> dict[str, frozenset[str]]:
    """Family-name words of every bibliography entry's authors and editors, by key."""
    from casepress.cite.bibtex import load_bibliography
    from casepress.cite.library import readable_bibliographies

    names = data.get("bibliography", ["references.bib"])
    files = readable_bibliographies(names if isinstance(names, list) else [], case_dir, project_root)
    if not files:
        return {}
    # Problems with the bibliography are reported by the citation stage, not here.
    entries = load_bibliography(files, Diagnostics())
    cited: dict[str, frozenset[str]] = {}
    for key, entry in entries.items():
        words: set[str] = set()
        for role in ("author", "editor"):
            for person in entry.item.get(role, []) or []:
                if isinstance(person, dict):
                    words.update(
                        _name_words(str(person.get("family") or person.get("literal") or ""))
                    )
        cited[key] = frozenset(words)
    return cited


# =========================================================================== image metadata


@dataclass(frozen=True, slots=True)
class MetaHit:
    """One identifying metadata field of one file, before it is located."""

    kind: str
    """The finding's kind (``gps``, ``image-date``, ``name``, ...)."""
    what: str
    """What it is, e.g. ``GPS position``."""
    key: str
    """Where in the file: container and field, e.g. ``EXIF DateTimeOriginal``."""
    shown: str | None = None
    """The value, masked; None when the message should not quote it at all."""


_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_EXIF_FIELDS: dict[int, tuple[str, str, str, bool]] = {
    # tag: (name, kind, what, in the Exif sub-IFD)
    0x013B: ("Artist", "name", "person's name", False),
    0x8298: ("Copyright", "name", "copyright holder", False),
    0x9C9D: ("XPAuthor", "name", "person's name", False),
    0xC62F: ("CameraSerialNumber", "device-id", "camera serial number", False),
    0x9003: ("DateTimeOriginal", "image-date", "capture date", True),
    0x9004: ("DateTimeDigitized", "image-date", "capture date", True),
    0xA430: ("CameraOwnerName", "name", "camera owner's name", True),
    0xA431: ("BodySerialNumber", "device-id", "camera serial number", True),
    0xA435: ("LensSerialNumber", "device-id", "lens serial number", True),
    0xA420: ("ImageUniqueID", "id-number", "unique image ID", True),
}
"""EXIF fields that identify a person, a device or a date; DateTime (last edit) is left out."""
_EXIF_TEXT: dict[int, tuple[str, bool]] = {
    0x010E: ("ImageDescription", False),
    0x9C9B: ("XPTitle", False),
    0x9C9C: ("XPComment", False),
    0x9C9E: ("XPKeywords", False),
    0x9C9F: ("XPSubject", False),
    0x9286: ("UserComment", True),
}
"""Free-text EXIF fields, scanned like prose (a camera writes 'OLYMPUS DIGITAL CAMERA')."""

_XMP_FIELDS: dict[str, tuple[str, str]] = {
    "creator": ("name", "creator"),
    "contributor": ("name", "contributor"),
    "rights": ("name", "rights holder"),
    "Artist": ("name", "person's name"),
    "Author": ("name", "person's name"),
    "CameraOwnerName": ("name", "camera owner's name"),
    "OwnerName": ("name", "camera owner's name"),
    "Owner": ("name", "owner's name"),
    "Credit": ("name", "credit line"),
    "CaptionWriter": ("name", "caption writer"),
    "SerialNumber": ("device-id", "camera serial number"),
    "BodySerialNumber": ("device-id", "camera serial number"),
    "CameraSerialNumber": ("device-id", "camera serial number"),
    "LensSerialNumber": ("device-id", "lens serial number"),
    "ImageUniqueID": ("id-number", "unique image ID"),
    "GPSLatitude": ("gps", "GPS position"),
    "GPSLongitude": ("gps", "GPS position"),
    "City": ("geo", "place name"),
    "Location": ("geo", "place name"),
    "Sublocation": ("geo", "place name"),
    "DateCreated": ("image-date", "capture date"),
    "CreateDate": ("image-date", "capture date"),
    "DateTimeOriginal": ("image-date", "capture date"),
    "DateTimeDigitized": ("image-date", "capture date"),
}
"""XMP properties (by local name) that identify a person, a device, a place or a date."""
_XMP_TEXT = frozenset(
    {"description", "title", "Headline", "UserComment", "Instructions", "subject"}
)
_XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://creativecommons.org/ns#": "cc",
}

_IPTC_FIELDS: dict[tuple[int, int], tuple[str, str, str]] = {
    (2, 80): ("By-line", "name", "creator"),
    (2, 116): ("CopyrightNotice", "name", "copyright holder"),
    (2, 110): ("Credit", "name", "credit line"),
    (2, 122): ("Writer-Editor", "name", "caption writer"),
    (2, 118): ("Contact", "name", "contact"),
    (2, 90): ("City", "geo", "place name"),
    (2, 92): ("Sub-location", "geo", "place name"),
    (2, 55): ("DateCreated", "image-date", "capture date"),
    (2, 62): ("DigitalCreationDate", "image-date", "capture date"),
}
_IPTC_TEXT = {(2, 120): "Caption-Abstract", (2, 105): "Headline", (2, 5): "ObjectName"}

_PNG_FIELDS = {
    "Author": ("name", "person's name"),
    "Copyright": ("name", "copyright holder"),
    "Creation Time": ("image-date", "creation date"),
}
"""PNG text keywords (PNG specification, 11.3.4.2) that name a person or a date."""
_PNG_IGNORED = frozenset({"Software", "Raw profile type exif", "Raw profile type APP1"})
"""Keywords that hold no personal text (EXIF in a text chunk is read as EXIF)."""

_DICOM_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("PatientName", "name", "patient's name"),
    ("OtherPatientNames", "name", "patient's other name"),
    ("PatientBirthName", "name", "patient's birth name"),
    ("PatientMotherBirthName", "name", "mother's birth name"),
    ("ReferringPhysicianName", "name", "referring physician's name"),
    ("PerformingPhysicianName", "name", "performing physician's name"),
    ("NameOfPhysiciansReadingStudy", "name", "reading physician's name"),
    ("PhysiciansOfRecord", "name", "physician's name"),
    ("RequestingPhysician", "name", "requesting physician's name"),
    ("OperatorsName", "name", "operator's name"),
    ("PatientID", "id-number", "patient ID"),
    ("OtherPatientIDs", "id-number", "other patient ID"),
    ("AccessionNumber", "id-number", "accession number"),
    ("StudyID", "id-number", "study ID"),
    ("MedicalRecordLocator", "id-number", "medical record locator"),
    ("PatientBirthDate", "birth-date", "date of birth"),
    ("PatientBirthTime", "birth-date", "time of birth"),
    ("PatientAddress", "address", "patient's address"),
    ("PatientTelephoneNumbers", "phone", "patient's telephone number"),
    ("InstitutionName", "institution", "institution"),
    ("InstitutionAddress", "address", "institution's address"),
    ("InstitutionalDepartmentName", "institution", "department"),
    ("StationName", "device-id", "station name"),
    ("DeviceSerialNumber", "device-id", "device serial number"),
    ("StudyDate", "image-date", "study date"),
    ("SeriesDate", "image-date", "series date"),
    ("AcquisitionDate", "image-date", "acquisition date"),
    ("ContentDate", "image-date", "content date"),
    ("AcquisitionDateTime", "image-date", "acquisition date"),
)
"""Top-level DICOM attributes that identify the patient, the staff, the place or the date."""
_DICOM_SUFFIXES = (".dcm", ".dicom")
_UNSHOWN = frozenset({"gps", "image-date", "birth-date"})
"""Kinds whose metadata value the message does not quote at all."""


def _field_hit(kind: str, what: str, key: str, value: str, known: KnownPeople) -> list[MetaHit]:
    """One identifying metadata field; an author's or reviewer's own name is not one."""
    if kind == "name" and " ".join(_name_words(value)) in known.full_names:
        return []  # the byline prints it already (an author took the photograph)
    return [MetaHit(kind, what, key, None if kind in _UNSHOWN else mask(value))]


def _text_hits(text: str, key: str, known: KnownPeople) -> list[MetaHit]:
    """Identifiers in a free-text metadata field, found by the text detectors."""
    return [
        MetaHit(m.detector.kind, m.detector.label, key, mask(text[m.start : m.end]))
        for m in scan_text(text, "metadata", known)
    ]


def _decode(value: Any) -> str:
    """An EXIF or IPTC value as text (XP* fields are UTF-16, UserComment has a charset prefix)."""
    if isinstance(value, bytes):
        if value[:8] in (
            b"ASCII\x00\x00\x00",
            b"UNICODE\x00",
            b"JIS\x00\x00\x00\x00\x00",
            b"\x00" * 8,
        ):
            charset, value = value[:8], value[8:]
            if charset == b"UNICODE\x00":
                return value.decode("utf-16", "replace").strip("\x00 ")
        if len(value) >= 2 and value[1:2] == b"\x00":
            return value.decode("utf-16-le", "replace").strip("\x00 ")
        return value.decode("utf-8", "replace").strip("\x00 ")
    if isinstance(value, (list, tuple)):
        return " ".join(_decode(v) for v in value)
    return str(value).strip("\x00 ")


def exif_hits(exif: Any, prefix: str, known: KnownPeople) -> list[MetaHit]:
    """Identifying EXIF fields (Pillow's ``Image.Exif``)."""
    hits: list[MetaHit] = []
    sub = exif.get_ifd(_EXIF_IFD)
    gps = exif.get_ifd(_GPS_IFD)
    if any(tag in gps for tag in (2, 4)):  # GPSLatitude, GPSLongitude
        hits.append(MetaHit("gps", "GPS position", f"{prefix} GPSInfo"))
    if 29 in gps:  # GPSDateStamp
        hits.append(MetaHit("image-date", "capture date", f"{prefix} GPSDateStamp"))
    for tag, (name, kind, what, in_sub) in _EXIF_FIELDS.items():
        value = _decode((sub if in_sub else exif).get(tag, ""))
        if value:
            hits += _field_hit(kind, what, f"{prefix} {name}", value, known)
    for tag, (name, in_sub) in _EXIF_TEXT.items():
        value = _decode((sub if in_sub else exif).get(tag, ""))
        if value:
            hits += _text_hits(value, f"{prefix} {name}", known)
    return hits


def xmp_hits(xmp: str | bytes, known: KnownPeople, prefix: str = "XMP") -> list[MetaHit]:
    """Identifying XMP properties, as elements or as attributes of rdf:Description."""
    if isinstance(xmp, bytes):
        xmp = xmp.decode("utf-8", "replace")
    xmp = xmp.strip("\x00 \n\r\t")
    try:
        root = ET.fromstring(xmp[xmp.find("<") :])
    except ET.ParseError as exc:
        return [MetaHit("unreadable", f"unreadable XMP ({exc})", prefix)]
    hits: list[MetaHit] = []
    seen: set[str] = set()
    for element in root.iter():
        pairs = [(element.tag, " ".join(t.strip() for t in element.itertext() if t.strip()))]
        pairs += list(element.attrib.items())
        for qualified, value in pairs:
            namespace, _, local = qualified.rpartition("}")
            label = f"{prefix} {_XMP_PREFIXES.get(namespace.lstrip('{'), '')}:{local}".replace(
                " :", " "
            )
            if not value or label in seen:
                continue
            if local in _XMP_FIELDS:
                seen.add(label)
                kind, what = _XMP_FIELDS[local]
                hits += _field_hit(kind, what, label, value, known)
            elif local in _XMP_TEXT:
                seen.add(label)
                hits += _text_hits(value, label, known)
    return hits


def iptc_hits(iptc: Mapping[tuple[int, int], Any], known: KnownPeople) -> list[MetaHit]:
    """Identifying IPTC-IIM datasets (Pillow's ``getiptcinfo``)."""
    hits: list[MetaHit] = []
    for record, (name, kind, what) in _IPTC_FIELDS.items():
        value = _decode(iptc.get(record, b""))
        if value:
            hits += _field_hit(kind, what, f"IPTC {name}", value, known)
    for record, name in _IPTC_TEXT.items():
        value = _decode(iptc.get(record, b""))
        if value:
            hits += _text_hits(value, f"IPTC {name}", known)
    return hits


def raster_hits(data: bytes, known: KnownPeople, prefix: str = "") -> list[MetaHit]:
    """Identifying metadata of a JPEG, PNG, WebP, GIF or TIFF image, read with Pillow."""
    lead = f"{prefix} " if prefix else ""
    try:
        return _raster_hits(data, known, lead)
    except Exception as exc:  # noqa: BLE001 - a damaged file is a warning, never a traceback
        return [
            MetaHit("unreadable", f"unreadable image ({type(exc).__name__}: {exc})", f"{lead}image")
        ]


def _raster_hits(data: bytes, known: KnownPeople, lead: str) -> list[MetaHit]:
    from PIL import Image, IptcImagePlugin

    from casepress.core.limits import MAX_IMAGE_PIXELS

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
    with image:
        fmt = image.format
        if image.width * image.height > MAX_IMAGE_PIXELS:
            return []  # never decoded here: the image check refuses it (image-too-large)
        if fmt == "PNG":
            image.load()  # text chunks after the image data are read with the pixels
        info = dict(image.info)
        exif = image.getexif()
        iptc = IptcImagePlugin.getiptcinfo(image) if fmt in ("JPEG", "TIFF") else None
        text = dict(getattr(image, "text", {}) or {})
    hits = exif_hits(exif, f"{lead}EXIF", known)
    xmp = info.get("xmp") or info.get("XML:com.adobe.xmp") or text.get("XML:com.adobe.xmp")
    if xmp:
        hits += xmp_hits(xmp, known, f"{lead}XMP")
    if iptc:
        hits += [MetaHit(h.kind, h.what, f"{lead}{h.key}", h.shown) for h in iptc_hits(iptc, known)]
    for keyword, value in text.items():
        if keyword in _PNG_IGNORED or keyword == "XML:com.adobe.xmp" or not str(value).strip():
            continue
        if keyword in _PNG_FIELDS:
            kind, what = _PNG_FIELDS[keyword]
            hits += _field_hit(kind, what, f"{lead}PNG {keyword}", str(value), known)
        else:
            hits += _text_hits(str(value), f"{lead}PNG {keyword}", known)
    comment = info.get("comment")
    if comment and fmt in ("GIF", "JPEG"):
        hits += _text_hits(_decode(comment), f"{lead}{fmt} comment", known)
    return hits


_SVG_NAME_FIELDS = frozenset({"creator", "contributor", "rights", "publisher"})
_DATA_URI = re.compile(
    r"data:image/(?:png|jpe?g|webp|gif|tiff?);base64,(?P<data>[A-Za-z0-9+/=\s]+)", re.IGNORECASE
)


def svg_hits(data: bytes, known: KnownPeople) -> list[MetaHit]:
    """Identifying SVG metadata: RDF creators, names in titles, texts, comments, embedded images."""
    from lxml import etree

    from casepress.check.images import ImageError, parse_svg

    try:
        root = parse_svg(data, "the SVG")
    except ImageError as exc:
        return [MetaHit("unreadable", f"unreadable SVG ({exc})", "SVG")]
    hits: list[MetaHit] = []

    def walk(element: Any, in_metadata: bool) -> None:
        local = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        namespace = (
            element.tag.rpartition("}")[0].lstrip("{") if isinstance(element.tag, str) else ""
        )
        prefix = _XMP_PREFIXES.get(namespace, "")
        label = f"SVG {prefix}:{local}" if prefix else f"SVG <{local}>"
        if in_metadata and local in _SVG_NAME_FIELDS:
            value = " ".join(t.strip() for t in element.itertext() if t.strip())
            if value:
                hits.extend(
                    _field_hit(
                        "name", local if local != "rights" else "rights holder", label, value, known
                    )
                )
            return  # its agent's dc:title is the name just reported
        if local in ("title", "desc", "text", "description", "subject"):
            # Visible labels and accessible names; a <text>'s tspans are read with it.
            value = " ".join(t.strip() for t in element.itertext() if t.strip())
            if value:
                hits.extend(_text_hits(value, label, known))
            return
        for attribute in (
            "{http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd}docname",
            "{http://www.inkscape.org/namespaces/inkscape}export-filename",
        ):
            if element.get(attribute):
                name = "sodipodi:docname" if "sodipodi" in attribute else "inkscape:export-filename"
                hits.extend(_text_hits(element.get(attribute, ""), f"SVG {name}", known))
        for child in element:
            if isinstance(child.tag, str):
                walk(child, in_metadata or local == "metadata")

    walk(root, False)
    comments = [*reversed(list(root.itersiblings(preceding=True))), *root.iter(etree.Comment),
                *root.itersiblings()]
    for comment in comments:
        if comment.tag is etree.Comment and (comment.text or "").strip():
            hits.extend(_text_hits(comment.text.strip(), "SVG comment", known))
    text = data.decode("utf-8", "replace")
    for n, match in enumerate(_DATA_URI.finditer(text), start=1):
        try:
            embedded = base64.b64decode(re.sub(r"\s", "", match.group("data")), validate=True)
        except (binascii.Error, ValueError):
            continue
        hits.extend(raster_hits(embedded, known, f"SVG embedded image {n}"))
    return hits


def load_pydicom() -> ModuleType | None:
    """pydicom, or None when it is not installed (the DICOM check then says so)."""
    try:
        import pydicom
    except ImportError:
        return None
    return pydicom


def dicom_hits(path: Path, known: KnownPeople) -> list[MetaHit]:
    """Identifying attributes of a DICOM file's header (top level; sequences are not read)."""
    pydicom = load_pydicom()
    if pydicom is None:
        return [
            MetaHit(
                "dicom-unchecked",
                "DICOM header not checked: pydicom is not installed (pip install pydicom)",
                "DICOM",
            )
        ]
    try:
        dataset = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds on damaged files
        return [MetaHit("unreadable", f"unreadable DICOM file ({exc})", "DICOM")]
    hits: list[MetaHit] = []
    for keyword, kind, what in _DICOM_FIELDS:
        value = _dicom_text(dataset.get(keyword))
        if value:
            hits += _field_hit(kind, what, f"DICOM {keyword}", value.replace("^", " "), known)
    age = _dicom_text(dataset.get("PatientAge"))
    if re.fullmatch(r"\d{3}Y", age) and int(age[:3]) > 89:
        hits.append(MetaHit("age-over-89", "age over 89", "DICOM PatientAge", age))
    if _dicom_text(dataset.get("BurnedInAnnotation")).upper() == "YES":
        hits.append(
            MetaHit("burned-in", "burned-in annotation in the pixels", "DICOM BurnedInAnnotation")
        )
    return hits


def _dicom_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return "\\".join(str(v) for v in value).strip()
    return str(value).strip()


def is_dicom(path: Path) -> bool:
    """True for ``*.dcm`` files and files with the DICM magic after the 128-byte preamble."""
    if path.suffix.lower() in _DICOM_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(132)
    except OSError:
        return False
    return head[128:132] == b"DICM"


def file_hits(path: Path, known: KnownPeople) -> list[MetaHit]:
    """Identifying metadata of one file, by its content (not its name)."""
    from casepress.check.images import looks_like_svg

    if is_dicom(path):
        return dicom_hits(path, known)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [MetaHit("unreadable", f"unreadable file ({exc.strerror})", "file")]
    if looks_like_svg(data):
        return svg_hits(data, known)
    return raster_hits(data, known)


_META_HINT = (
    "remove the metadata from the image file (a build publishes figures without it, "
    "but the file itself still carries it)"
)


def _meta_message(hit: MetaHit, name: str) -> str:
    if hit.kind in ("unreadable", "dicom-unchecked"):
        return f"{hit.what}: {name}"
    message = f"{hit.what} in '{hit.key}' of {name}"
    return message + (f": '{hit.shown}'" if hit.shown else "")


def file_findings(data: Any, ctx: CaseContext, known: KnownPeople) -> list[Finding]:
    """Identifying metadata in the figures' images and in any DICOM file of the case folder."""
    from casepress.core.confine import Refused
    from casepress.check.images.check import figure_file, refused_before
    from casepress.core.limits import MAX_FIGURES

    findings: list[Finding] = []
    checked: set[Path] = set()
    for name, path in itertools.islice(_figure_files(data), MAX_FIGURES):
        try:
            resolved = figure_file(ctx.case_dir, name)
        except (Refused, FileNotFoundError):
            continue  # the image check reports missing, unsafe and oversized files
        if resolved in checked or refused_before(resolved):
            continue  # ... and images that cannot be shown
        checked.add(resolved)
        where = ctx.doc.location(path)
        for hit in file_hits(resolved, known):
            findings.append(_meta_finding(hit, name, where, format_path(path), format_path(path)))
    for dicom in _dicom_files(ctx.case_dir):
        if dicom.resolve() in checked:
            continue
        relative = dicom.relative_to(ctx.case_dir).as_posix()
        # A DICOM file that no field names is located in itself.
        where = Location(display_path(dicom))
        for hit in dicom_hits(dicom, known):
            findings.append(_meta_finding(hit, relative, where, None, relative))
    return findings


_FILE_HINTS = {
    "dicom-unchecked": "install pydicom (pip install pydicom), then check again",
    "unreadable": "check that the file is a valid image",
    "burned-in": "the pixels themselves show identifiers: mask them, or leave the file out",
}
_DICOM_HINT = (
    "de-identify the DICOM header (DICOM PS3.15 Basic Application Level Confidentiality "
    "Profile), or keep the file out of the case folder"
)


def _meta_finding(
    hit: MetaHit, name: str, where: Location, field: str | None, scope: str
) -> Finding:
    hint = _FILE_HINTS.get(hit.kind) or (_DICOM_HINT if hit.key.startswith("DICOM") else _META_HINT)
    return Finding(
        hit.kind, hit.key, hit.shown or hit.key, _meta_message(hit, name), where, field, hint, scope
    )


def _figure_files(data: Any) -> Iterator[tuple[str, FieldPath]]:
    """Image files named by ``figures[].file`` and ``figures[].panels[].file``, as written."""
    figures = data.get("figures") if isinstance(data, dict) else None
    for i, figure in enumerate(figures if isinstance(figures, list) else []):
        if not isinstance(figure, dict):
            continue
        if isinstance(figure.get("file"), str):
            yield figure["file"], ("figures", i, "file")
        panels = figure.get("panels")
        for j, panel in enumerate(panels if isinstance(panels, list) else []):
            if isinstance(panel, dict) and isinstance(panel.get("file"), str):
                yield panel["file"], ("figures", i, "panels", j, "file")


_NOT_CASE_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", "output", "site-packages"})
"""Folders that hold tools or builds, not the case's material."""


def _dicom_files(case_dir: Path) -> list[Path]:
    """Every DICOM file in the case folder, hidden and tool folders excepted, in a stable order."""
    found: list[Path] = []
    for path in sorted(case_dir.rglob("*")):
        relative = path.relative_to(case_dir).parts
        if any(p.startswith(".") or p in _NOT_CASE_FOLDERS for p in relative) or not path.is_file():
            continue
        if is_dicom(path):
            found.append(path)
    return found


# =========================================================================== the check


def acknowledgements(data: Any) -> list[Acknowledged]:
    """``checks.acknowledge`` as written (validation reports malformed entries)."""
    checks = data.get("checks") if isinstance(data, dict) else None
    entries = checks.get("acknowledge") if isinstance(checks, dict) else None
    result: list[Acknowledged] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("text"), str):
            field = entry.get("field")
            result.append(
                Acknowledged(index, entry["text"], field if isinstance(field, str) else None)
            )
    return result


warning_code("deid", "a possible identifier of the patient (HIPAA Safe Harbor), `deid-<kind>`, in the text or "
             "in image metadata", "{n} possible identifiers", family=True)
warning_code("deid-unused-acknowledgement", "an acknowledgement in `checks.acknowledge` matches no finding")


def check_deidentification(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Identifiers of the patient in the text and the images are warnings, unless acknowledged.

    Reads the raw YAML rather than ``case``, so that it sees every string as
    written and still runs when some sections failed validation.
    """
    data = ctx.doc.data
    disabled = disabled_codes(data)
    if suppressed("deid", disabled):
        return
    known = known_people(data, ctx.case_dir, ctx.project.root)
    findings = text_findings(ctx.doc, known) + demographics_findings(ctx.doc)
    findings += file_findings(data, ctx, known)
    acks = acknowledgements(data)
    used: set[int] = set()
    for finding in findings:
        covering = [a.index for a in acks if a.covers(finding)]
        used.update(covering)
        if covering or suppressed(finding.code, disabled):
            continue
        diagnostics.warning(
            finding.code, finding.message, finding.location, finding.field, finding.hint
        )
    if suppressed("deid-unused-acknowledgement", disabled):
        return
    for ack in acks:
        if ack.index not in used:
            path = ("checks", "acknowledge", ack.index, "text")
            where = f" in {ack.field}" if ack.field else ""
            diagnostics.warning(
                "deid-unused-acknowledgement",
                f"acknowledgement '{ack.text}' matches no de-identification finding{where}",
                ctx.doc.location(path),
                path,
                "remove it, or quote the finding's text exactly as the warning shows it",
            )


__all__ = [
    "CONTEXTS",
    "DETECTORS",
    "Finding",
    "KnownPeople",
    "check_deidentification",
    "file_hits",
    "known_people",
    "mask",
    "scan_text",
    "strip_bytes",
    "strip_metadata",
]
