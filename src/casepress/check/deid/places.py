"""Places: street addresses, postal codes, and place names used about the patient."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from casepress.check.deid.dates import _MONTHS
from casepress.check.deid.findings import KnownPeople
from casepress.check.deid.patterns import _STOPWORDS, _UNIT_AFTER, compiled, unanchored


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
_STREET_NEEDS = (  # what every street address holds (see Detector.needs), pattern by pattern
    r"\d[A-Za-z]?(?:-\d+)?,?\s+[A-Z]"
    r"|(?:straße|strasse|gasse|weg|platz|allee)\s+\d"
    r"|(?:Box|Apt|Apartment|Suite|Flat)\.?\s*#?\s*\d"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_POSTCODE_PATTERNS: tuple[tuple[str, int, str, bool], ...] = (
    # (pattern, flags, what every text it matches holds (see Detector.needs), whether that is lower case)
    (
        (
            r"\b(?:zip(?:\s*code)?|post(?:al)?\s*code|postcode)\s*[:#]?\s*"
            r"(?P<v>[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9])"
        ),
        re.IGNORECASE,
        r"zip|post(?:al)?\s*code",
        True,
    ),
    (
        rf"\b(?:{_US_STATES}),?\s+(?P<v>\d{{5}}(?:-\d{{4}})?)(?![\w.,]\d|\d){_UNIT_AFTER}",
        0,
        r"[A-Z]{2},?\s+\d{5}",
        False,
    ),
    (r"\b(?P<v>(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s\d[ABD-HJLNP-UW-Z]{2})\b", 0, r"\s\d[ABD-HJLNP-UW-Z]{2}", False),
    (r"\b(?P<v>[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s\d[ABCEGHJ-NPRSTV-Z]\d)\b", 0, r"\d[A-Z]\s\d[A-Z]\d", False),
)

_PLACE_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+"
_PLACE = rf"{_PLACE_WORD}(?:[ -]{_PLACE_WORD}){{0,3}}"
_FROM_CUE = (
    r"\b(?:patient|woman|man|lady|gentleman|girl|boy|child|infant|farmer|worker|retiree|"
    r"student|teacher|resident)\s+from\s+(?:the\s+)?"
)
_RESIDENCE = (  # in lower case: the cue ignores case (and so is its own Detector.needs, in folded text)
    r"(?:(?:lives|lived|living|resides|resided|residing|resident|native|hometown|"
    r"home\s+town|moved|relocated)(?:\s+(?:alone|here|there))?\s+(?:in|at|near|of|to|from)|"
    r"(?:came|comes|originally|hails)\s+from|(?:village|town)\s+(?:of|in|called))"
    r"\s+(?:the\s+)?"
)
_PLACE_CUES: tuple[tuple[str, str, bool], ...] = (
    # (cue, what every text it matches holds (see Detector.needs), whether that is lower case)
    (rf"(?i:\b{_RESIDENCE})", _RESIDENCE, True),
    (_FROM_CUE, unanchored(_FROM_CUE), False),
)
_UNIT = r"\s(?:City|County|District|Village|Township|Town|Borough|Prefecture|Parish|Municipality)\b"
_PLACE_UNIT = rf"{_PLACE_WORD}(?:\s{_PLACE_WORD}){{0,2}}{_UNIT}"
_PLACE_UNIT_NEEDS = _UNIT


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
    pattern = cue + f"(?P<place>{_PLACE})"

    def find(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
        for match in compiled(pattern).finditer(text):
            place = match.group("place")
            if _is_place_word(place.split()[0].split("-")[0]) and not _is_region(place):
                yield match.span("place")

    return find


def _find_place_units(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    """Administrative units below a state: 'Weifang City', 'Kuiwen District'."""
    for match in compiled(_PLACE_UNIT).finditer(text):
        start = match.start()
        # 'The Weifang City', 'Health District': leading non-place words are not the place.
        for word in match.group(0).split()[:-1]:
            if _is_place_word(word):
                break
            start += len(word) + 1
        if start < match.end() - len(match.group(0).split()[-1]) - 1:
            yield start, match.end()
