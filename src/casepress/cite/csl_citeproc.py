"""citeproc-py's element classes, extended: the gaps in its CSL support covered where
they show (see :mod:`casepress.cite.csl` for the list), and the style loader that uses them.

This module imports citeproc-py and lxml: :mod:`casepress.cite.csl` imports it only when a
formatting run needs citeproc-py, so that a warm cache never loads either.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from citeproc import LANGUAGE_NAMES, PRIMARY_DIALECTS, model  # type: ignore[import-untyped]
from citeproc.frontend import (  # type: ignore[import-untyped]
    CitationStylesLocale,
    CitationStylesStyle,
    CitationStylesXML,
)
from citeproc.source import DateRange  # type: ignore[import-untyped]
from citeproc.source import Name as SourceName  # type: ignore[import-untyped]
from citeproc.string import String  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]

from casepress.cite.csl_memo import ANY_ELEMENT, MEMOIZED, fix
from casepress.cite.csl_memo import Memoized as _Memoized
from casepress.cite.csl_sort import Sort as _Sort
from casepress.cite.csl_case import change_case, initials, is_numeric, protected_chars, sort_text
from casepress.cite.csl_markup import (
    CITE,
    CITE_END,
    CITE_MID,
    CSL_NS,
    ET_AL_FLAG,
    GIVEN_FLAG,
    LABEL,
    LABEL_END,
    LINK_END,
    LINKED_VARIABLES,
    LOCATOR_FLAG,
    NUM,
    PAGE,
    QUOTE_CLOSE,
    QUOTE_CLOSE_END,
    SUPPRESS_FLAG,
    UNKNOWN,
)

# ---------------------------------------------------------------------------------------
# Which variables an element looked up and printed (for cs:group and cs:substitute)
# ---------------------------------------------------------------------------------------

@dataclass
class _Recorder:
    """The variables looked up, and those printed, while one element renders its children."""

    called: set[str] = field(default_factory=set)
    """Variables an element tried to print (empty or not)."""
    printed: set[str] = field(default_factory=set)
    """Variables that printed something."""


_MACRO = "macro:"
"""Prefix of a recorded macro name (a non-empty macro counts as a printed variable)."""
_RECORDERS: list[_Recorder] = []
"""Open recorders, innermost last (cs:group and cs:substitute open one each). One list for
the process: citeproc-py's own state (layout.repressed) is no more thread-safe than this,
so one Bibliography renders on one thread at a time."""


def record(*variables: str) -> None:
    """Tell every open recorder that these variables printed something."""
    for recorder in _RECORDERS:
        recorder.printed.update(variables)
        recorder.called.update(variables)


def called(variable: str) -> None:
    """Tell every open recorder that an element looked this variable up."""
    for recorder in _RECORDERS:
        recorder.called.add(variable)


# ---------------------------------------------------------------------------------------
# The element classes
# ---------------------------------------------------------------------------------------


def in_citation(element: Any) -> bool:
    return bool(element.xpath_search("./ancestor-or-self::cs:citation"))


class _Text(_Memoized, model.Text):
    """``cs:text`` with link markers on DOIs/URLs, a placeholder citation number, the
    bibliography label marked, and quotes marked for punctuation-in-quote."""

    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        text, language = self._process_text(item, context if context is not None else self)
        if text and "macro" in self.attrib:
            # CSL: a non-empty macro counts as a non-empty variable for the
            # suppression of the group around it (so a "n.d." term prints).
            record(f"{_MACRO}{self.get('macro')}")
        return text, language

    _kind: str | None = None
    """Which of variable, macro, term or value the element prints ("" for none), with
    :attr:`_language` and :attr:`_macro` read on the first visit (fixed once parsed)."""
    _language: str = "en"
    """The root's default language."""
    _macro: Any = None
    """The cs:macro a macro call renders."""

    def _process_text(self, item: Any, context: Any) -> tuple[Any, str]:
        """citeproc-py's ``Text.process``, reading the item's language without raising
        (and catching) an exception for every cs:text of an item that has none, and the
        element's own attributes and macro once, not on each of 32,000 visits."""
        kind = self._kind
        if kind is None:
            attrib = self.attrib
            kind = next((k for k in ("variable", "macro", "term", "value") if k in attrib), "")
            if kind == "macro":  # first: a macro that is missing raises on every visit
                self._macro = self.get_macro(self.get("macro"))
            self._language = self.get_root().get("default-locale", "en")[:2]
            self._kind = kind
        reference = item.reference
        language = reference["language"][:2] if "language" in reference else self._language
        if kind == "variable":
            return self._variable(item, context), language
        if kind == "macro":
            return self._macro.render(item, context), language
        if kind == "term":
            return self._term(item), language
        if kind == "value":
            return String(self.preformat(self.get("value"))), language
        raise UnboundLocalError("cs:text without variable, macro, term or value")  # as citeproc-py

    def _variable(self, item: Any, context: Any) -> Any:
        variable = self.get("variable")
        if variable == "citation-number":
            record(variable)
            return String(NUM)
        if variable not in self.generated_variables:  # year-suffix is no variable here
            called(variable)
        text = super()._variable(item, context)
        if text:
            record(variable)
        if variable in LINKED_VARIABLES and text:
            return String(LINKED_VARIABLES[variable] + str(text) + LINK_END)
        return text

    def markup(self, text: Any, language: Any) -> Any:
        result = super().markup(text, language)
        if result is not None and self._is_label():
            return LABEL + str(result) + LABEL_END
        return result

    def _is_label(self) -> bool:
        parent = self.getparent()
        return (
            self.get("variable") == "citation-number"
            and parent is not None
            and parent.tag == f"{{{CSL_NS}}}layout"
            and parent.getparent().tag == f"{{{CSL_NS}}}bibliography"
        )

    def case(self, text: Any, language: Any = None) -> Any:
        """text-case over the whole value at once: citeproc-py cased each nocase or
        plain segment as separate words and joined them with spaces
        (``{B}ayes`` came out ``B Ayes``, ``{COVID-19}: interim`` ``COVID-19 : Interim``)."""
        text_case = self.get("text-case")
        if text_case is None or (text_case == "title" and language != "en"):
            return text
        return String(change_case(text_case, *protected_chars(text)))

    def _format_last_page(self, first: str, last: str) -> str:
        """page-range-format on the numbers only, as citeproc-js does: 1-12 stays
        1–12 (citeproc-py printed 1–2), 321-28 reads as 321-328, e356-e364 gives
        e356–64; a suffix stays (169-184.e7 gives 169–84.e7, as Frontiers prints it)."""
        range_format = self.get_root().get_option("page-range-format")
        if not range_format:
            return last
        start, end = PAGE.fullmatch(first), PAGE.fullmatch(last)
        if not start or not end or start.group(1) != end.group(1) or start.group(3):
            return last
        # The shared prefix prints once (S96–104, e12–20) unless the format is expanded.
        prefix = end.group(1) if range_format == "expanded" else ""
        digits, last_digits = start.group(2), end.group(2)
        if len(last_digits) < len(digits):  # an abbreviated range: expand it first
            last_digits = digits[: len(digits) - len(last_digits)] + last_digits
        if len(last_digits) != len(digits) or int(last_digits) <= int(digits):
            return prefix + last_digits + end.group(3)
        return prefix + super()._format_last_page(digits, last_digits) + end.group(3)

    def quote(self, string: Any) -> Any:
        if self.get("quotes", "false").lower() != "true":
            return string
        close = self.get_single_term(name="close-quote")
        if self.get_locale_option("punctuation-in-quote").lower() == "true":
            close = String(QUOTE_CLOSE + str(close) + QUOTE_CLOSE_END)
        return self.get_single_term(name="open-quote") + string + close


class _Name(_Memoized, model.Name):
    """``cs:name`` that prints "et al." after the listed names of an item whose author
    (or editor) list was cut short in the source (``casepress-et-al``), as the style
    prints it: its et-al term, ``cs:et-al`` element and delimiter-precedes-et-al."""

    def process(self, item: Any, variable: str, context: Any = None, sort_options: Any = None,
                **kwargs: Any) -> Any:
        expand = item.reference.get(GIVEN_FLAG)
        if not expand or sort_options or not in_citation(context if context is not None else self):
            return self._listed(item, variable, context, sort_options, **kwargs)
        # Disambiguation by given names: the names print in full form, with initials
        # when the rule says so (see citation/disambiguate.py).
        saved = {k: self.get(k) for k in ("form", "initialize-with")}
        self.set("form", "long")
        if expand == "initials" and self.get_option("initialize-with", context) is None:
            self.set("initialize-with", ". ")
        elif expand != "initials" and "initialize-with" in self.attrib:
            del self.attrib["initialize-with"]
        try:
            return self._listed(item, variable, context, sort_options, **kwargs)
        finally:
            for k, v in saved.items():
                if v is None:
                    self.attrib.pop(k, None)
                else:
                    self.set(k, v)

    def _listed(self, item: Any, variable: str, context: Any = None, sort_options: Any = None,
                **kwargs: Any) -> Any:
        """The names, with "et al." for a list that ended in "and others"; a style that
        initializes without periods (``initialize-with=""``) prints ``Jr.`` as ``Jr``,
        as citeproc-js does."""
        names = item.reference.get(variable) or []
        mark = self.get_option("initialize-with", context)
        if mark is not None and "." not in mark and any("." in (n.get("suffix") or "") for n in names):
            item.reference[variable] = [SourceName(**{**n, "suffix": n["suffix"].replace(".", "")})
                                        if n.get("suffix") else n for n in names]
            try:
                return self._listed(item, variable, context, sort_options, **kwargs)
            finally:
                item.reference[variable] = names
        if not names or variable not in (item.reference.get(ET_AL_FLAG) or ()) or sort_options:
            # (a sort key holds the listed names only, never "et al.")
            return super().process(item, variable, context, sort_options, **kwargs)
        et_al_min = self.get_option("et-al-min", context, sort_options)
        use_first = self.get_option("et-al-use-first", context, sort_options)
        listed = len(names)
        # "and others": the real list goes on past any truncation, so the style cuts it
        # as it cuts a long list (its first et-al-use-first names), or shows every
        # listed name when it would show more than the source lists.
        shown = max(1, min(use_first, listed)) if et_al_min else listed
        options = dict(sort_options or {})
        options.update({"et-al-min": listed + 1, "et-al-use-first": shown, "et-al-use-last": "false"})
        item.reference[variable] = [*names, SourceName(family=UNKNOWN)]
        try:
            return super().process(item, variable, context, options, **kwargs)
        finally:
            item.reference[variable] = names

    _options: dict[tuple[str, Any], Any] | None = None
    """Inherited options already looked up, by (name, context element)."""

    def get_option(self, name: str, context: Any = None, sort_options: Any = None) -> Any:
        """citeproc-py's lookup (this element, else cs:citation or cs:bibliography, else
        cs:style), kept per context: it ran an XPath query and raised and caught a
        TypeError each of 35,000 times. Not kept: a sort's own options, and ``form`` and
        ``initialize-with``, which :meth:`process` changes for a while."""
        if sort_options is not None or name in ("form", "initialize-with"):
            return super().get_option(name, context, sort_options)
        options = self._options
        if options is None:
            options = self._options = {}
        key = (name, context)
        if key not in options:
            options[key] = super().get_option(name, context, sort_options)
        return options[key]

    def initialize(self, given: str, mark: str, context: Any) -> str:
        """initialize="false" (CSL 1.0.1): full given names stay; only names that are
        already initials take the initialize-with mark (citeproc-py ignored it)."""
        if self._inherited("initialize", context) != "false":
            hyphen = self.get_option("initialize-with-hyphen", context)
            return initials(given, mark, hyphen is not False and str(hyphen).lower() != "false")
        words = []
        for word in given.split():
            letters = word.replace(".", "")
            words.append(letters + mark.rstrip() if len(letters) == 1 and letters.isalpha() else word)
        return " ".join(words)

    def _inherited(self, option: str, context: Any) -> str | None:
        """An inheritable name option: on cs:name, else cs:citation/cs:bibliography,
        else cs:style."""
        if self.get(option) is not None:
            return self.get(option)
        where = context if context is not None else self
        parents = where.xpath_search("./ancestor::*[self::cs:citation or self::cs:bibliography][1]")
        if parents and parents[0].get(option) is not None:
            return parents[0].get(option)
        return self.get_root().get(option)


class _Names(_Memoized, model.Names):
    """``cs:names`` that renders nothing in a citation for a ``-@key`` cite, nor
    names that a substitution already printed."""

    def process(self, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any) -> Any:
        where = context if context is not None else self
        if item.get(SUPPRESS_FLAG) and in_citation(where):
            return None
        variables = (self.get("variable") or "").split()
        hidden = {v: item.reference[v.replace("-", "_")] for v in self._substituted(where, variables)
                  if v.replace("-", "_") in item.reference}
        if variables and all(v in self._substituted(where, variables) for v in variables):
            return None
        called(self.get("variable") or "names")
        if names_context is None and self.name is None:
            # A bare cs:names deeper in a cs:substitute (inside a cs:choose, CSL 1.0.2)
            # takes the enclosing cs:names' cs:name, as a direct child does.
            enclosing = self.xpath_search("./ancestor::cs:substitute[1]/parent::cs:names[1]")
            if enclosing:
                names_context = enclosing[0]
        for name in hidden:
            del item.reference[name.replace("-", "_")]
        # citeproc-py looks a role up by its CSL name ("container-author") in a reference
        # keyed by Python names: container-author, collection-editor... never printed.
        aliases = [v for v in variables if "-" in v and v.replace("-", "_") in item.reference]
        for name in aliases:
            item.reference[name] = item.reference[name.replace("-", "_")]
        try:
            text = super().process(item, names_context, context, **kwargs)
        finally:
            for name in aliases:
                item.reference.pop(name, None)
            for name, value in hidden.items():
                item.reference[name.replace("-", "_")] = value
        if text:
            record(self.get("variable") or "names")
        return text

    def _substituted(self, where: Any, variables: list[str]) -> set[str]:
        """Those of ``variables`` that cs:substitute already printed in place of
        another variable (the editors standing in for the authors): CSL prints a
        substituted variable once; citeproc-py only checks that for cs:text."""
        try:
            repressed = where.get_layout().repressed
        except (IndexError, AttributeError):
            return set()
        done = {v for entry in repressed.get(self.tag, ()) for v in (entry or "").split()}
        return {v for v in variables if v in done}


class _Key(_Memoized, model.Key):
    """A sort key without markup or quotation marks: an italic or quoted title sorted
    after every plain one (placeholders are private-use characters, above all letters)."""

    def sort_keys(self, items: Any, context: Any) -> Any:
        keys = super().sort_keys(items, context)
        return [k if k is None or isinstance(k, int) else sort_text(str(k)) for k in keys]


class _If(_Memoized, model.If):
    """``cs:if`` whose is-numeric also reads the locator and accepts ranges and lists
    (``12-15``, ``2, 4``), as citeproc-js and pandoc do; its type test reads the item's
    type once (citeproc-py read it, through two Python calls, once per listed type)."""

    _types: tuple[str, ...] | None = None
    """The ``type`` attribute, split and lower-cased (fixed once the style is parsed)."""
    _tests: tuple[str, ...] | None = None
    """The tests this element sets, in citeproc-py's order (fixed once parsed)."""

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        """citeproc-py's ``If.render``, step for step, with the element's tests and match
        read once: it asked for six attributes and the match twice on each of 48,000 visits."""
        tests = self._tests
        if tests is None:
            tests = self._tests = tuple(t for t in _IF_TESTS if t in self.attrib)
        results: list[bool] = []
        for test in tests:
            results += _IF_TESTS[test](self, item, context)
        match = self.get("match")
        if match == "any":
            result = any(results)
        elif match == "none":
            result = not any(results)
        else:
            result = all(results)
        if not result:
            raise model.ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    def _type(self, item: Any) -> list[bool]:
        types = self._types
        if types is None:
            types = self._types = tuple(t.lower() for t in self.get("type").split())
        if not types:
            return []
        try:  # citeproc-py's item.reference.type, without its two Python-level lookups
            kind = dict.__getitem__(item.reference, "type")
        except KeyError:
            raise model.VariableError from None
        return [t == kind for t in types]

    def _is_numeric(self, item: Any) -> list[bool]:
        results = []
        for variable in self.get("is-numeric").split():
            if variable == "locator":
                value = item.locator.identifier if item.has_locator else None
            else:
                value = item.reference.get(variable.replace("-", "_"))
            results.append(value is not None and is_numeric(str(value)))
        return results


_IF_TESTS: dict[str, Callable[[_If, Any, Any], list[bool]]] = {
    "type": lambda element, item, context: element._type(item),
    "variable": lambda element, item, context: element._variable(item),
    "is-numeric": lambda element, item, context: element._is_numeric(item),
    "is-uncertain-date": lambda element, item, context: element._is_uncertain_date(item),
    "locator": lambda element, item, context: element._locator(item),
    "position": lambda element, item, context: element._position(item, context),
}
"""cs:if's tests by attribute, in the order citeproc-py runs them."""


class _ElseIf(_If):
    """``cs:else-if``, the same tests."""


class _Label(_Memoized, model.Label):
    """``cs:label`` whose text-case="title" works: citeproc-py passed no language, and
    title case applies to English only, so it never applied."""

    def case(self, text: Any, language: Any = None) -> Any:
        return super().case(text, language or "en")

    def _is_plural(self, item: Any) -> bool:
        """Plural when the value holds several numbers (``1-3``, ``2, 4``) or, for a
        count (number-of-pages, number-of-volumes), is above one. citeproc-py read the
        count as ``item[variable]``, which raised, so the label ("1079 p.", "Vols.")
        never printed."""
        variable = self.get("variable")
        if variable != "locator" and variable.startswith("number-of"):
            value = _reference_value(item, variable)
            return bool(re.fullmatch(r"\d+", value.strip())) and int(value) > 1
        return super()._is_plural(item)


class _Layout(_Memoized, model.Layout):
    """The citation layout: each cite linked to its entry, the cite's prefix and
    locator kept, and numeric ranges collapsed (``collapse="citation-number"``)."""

    def render_citation(self, citation: Any, callback: Any) -> Any:
        bibliography = citation.bibliography
        good = [c for c in citation.cites if not c.is_bad()]
        bad = [c for c in citation.cites if c.is_bad()]
        good.sort(key=lambda c: bibliography.keys.index(c.key))
        if self.getparent().sort is not None and len(good) > 1:  # one cite: no keys to compute
            good = self.getparent().sort.sort(good, self)
        rendered: list[tuple[Any, str]] = []
        for item in good:
            self.repressed: dict[str, list[str]] = {}
            try:
                output = self.render_children(item)
            except model.VariableError:
                output = None
            if output is None:
                continue
            self.getparent().cites.append(item)
            text = str(output).replace(NUM, str(item.number))
            rendered.append((item, text))
        pieces = self._collapse(rendered) if self._collapses() else [
            (_cite_piece(item, text), None) for item, text in rendered
        ]
        pieces += [(callback(item) or f"{item.key}?", None) for item in bad]
        delimiter = self.get("delimiter", "")
        after_collapse = self.getparent().get("after-collapse-delimiter", delimiter)
        out = ""
        for index, (piece, kind) in enumerate(pieces):
            if index:
                out += after_collapse if pieces[index - 1][1] == "range" else delimiter
            out += piece
        return self.format(self.wrap(String(out)))

    def _collapses(self) -> bool:
        return self.getparent().get("collapse") == "citation-number"

    def _collapse(self, rendered: list[tuple[Any, str]]) -> list[tuple[str, str | None]]:
        """Runs of three or more consecutive numbers become first–last (CSL's rule; two
        stay a list). A cite with a prefix or a locator never joins a range."""
        term = self.get_single_term(name="citation-range-delimiter")
        dash = str(term) if str(term) else "\u2013"
        pieces: list[tuple[str, str | None]] = []
        run: list[tuple[Any, str]] = []

        def flush() -> None:
            if len(run) >= 3:
                first, last = run[0], run[-1]
                pieces.append((_cite_piece(*first) + dash + _cite_piece(*last), "range"))
            else:
                pieces.extend((_cite_piece(*r), None) for r in run)
            run.clear()

        for item, text in rendered:
            plain = not (item.get("prefix") or item.get(LOCATOR_FLAG))
            if run and plain and item.number == run[-1][0].number + 1:
                run.append((item, text))
                continue
            flush()
            if plain:
                run.append((item, text))
            else:
                pieces.append((_cite_piece(item, text), None))
        flush()
        return pieces


class _Substitute(_Memoized, model.Substitute):
    """``cs:substitute`` that also suppresses the variables a substituted macro or
    cs:choose printed (``<text macro="title"/>`` standing in for the author: the title
    then does not print twice); citeproc-py recorded only the variable attribute of a
    direct child."""

    def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        where = context if context is not None else self
        for child in self.getchildren():
            recorder = _Recorder()
            _RECORDERS.append(recorder)
            try:
                if isinstance(child, model.Names) and child.name is None:
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                continue
            finally:
                _RECORDERS.pop()  # ours: recorders nest strictly
            if text:
                self.add_to_repressed_list(child, context)
                printed = sorted(v for v in recorder.printed if not v.startswith(_MACRO))
                if printed:
                    repressed = where.get_layout().repressed
                    for tag in (f"{{{CSL_NS}}}text", f"{{{CSL_NS}}}names"):
                        repressed.setdefault(tag, []).extend(printed)
                return text
        return None


class _Group(_Memoized, model.Group):
    """``cs:group`` suppressed when it looked variables up and all were empty, judged on
    what this rendering did (CSL's rule). citeproc-py asked whether a child could call
    a variable in any branch of a cs:choose, so a group holding a term from the taken
    branch and an empty variable printed the bare term (APA's "(Publication)" for a
    thesis without a number)."""

    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        output = []
        recorder = _Recorder()
        delimiter = self.get("delimiter", "")
        _RECORDERS.append(recorder)
        try:
            for child, choose in self.fixed_children():
                try:
                    if choose:
                        text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                    else:
                        text = child.render(item, context=context, **kwargs)
                except model.VariableError:
                    continue
                if text is not None:
                    output.append(text)
        finally:
            _RECORDERS.pop()  # ours: recorders nest strictly
        if output and (not recorder.called or recorder.printed):
            return self.join(output)
        raise model.VariableError


class _Number(_Memoized, model.Number):
    """``cs:number`` that reports the variable it printed (see _Group)."""

    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        variable = self.get("variable")
        called(variable)
        if variable in ("locator", "page-first", "citation-number") or "-" not in variable:
            text = super().process(item, context, **kwargs)
        else:  # citeproc-py looked up "number-of-volumes" by its CSL name and never found it
            text = self._process(item.reference[variable.replace("-", "_")], variable)
        if text:
            record(self.get("variable"))
        return text


class _Date(_Memoized, model.Date):
    """``cs:date`` whose localized form joins its parts with the locale date's own
    delimiter (citeproc-py used the calling date's, so ``2011 Sep`` came out
    ``2011Sep`` in styles that define their date formats in an in-style locale)."""

    def process(self, item: Any, variable: Any = None, show_parts: Any = None, context: Any = None,
                **kwargs: Any) -> Any:
        name = variable or self.get("variable") or "date"
        called(name)
        key = name.replace("-", "_")
        value = item.reference.get(key)
        if isinstance(value, DateRange) and self._same_shown(value, show_parts):
            # citeproc-py drops a range whose ends differ only in parts this element
            # does not print (2019-01/2019-12 under a year-only date printed nothing)
            item.reference[key] = value.begin
            try:
                text = super().process(item, variable, show_parts, context, **kwargs)
            finally:
                item.reference[key] = value
        else:
            text = super().process(item, variable, show_parts, context, **kwargs)
        if text:
            record(name)
        return text

    def _same_shown(self, value: Any, show_parts: Any) -> bool:
        """The range's ends agree on every date part this element prints."""
        if self.get("form") is not None and not self.is_locale_date():
            shown = (self.get("date-parts") or "year-month-day").split("-")
        else:
            shown = [c.get("name") for c in self.iterchildren() if c.get("name")]
        if show_parts is not None:
            shown = [p for p in shown if p in show_parts]
        end = value.get("end")
        return end is None or end.is_nil() or all(
            value.begin.get(p) == end.get(p) for p in shown
        )

    def render_date_range(self, date_range: Any, show_parts: Any = None, context: Any = None) -> Any:
        """A range as CSL renders it: the parts both ends share print once, in their
        place; the differing parts print as begin–end (``2017 Jul–Aug``, ``Jul 1–Aug 3,
        2017``). citeproc-py put the shared year after the range, with no delimiter."""
        begin, end = date_range.begin, date_range.get("end")
        if end is None or end.is_nil():
            return super().render_date_range(date_range, show_parts, context)
        show = list(show_parts or ("year", "month", "day"))
        # a part neither end has prints nothing: it must not count as differing, or its
        # affixes would be the ones trimmed at the dash (AMA's "July –August 2017")
        names = [c.get("name") for c in self.iterchildren() if c.get("name") in show
                 and (begin.get(c.get("name")) is not None or end.get(c.get("name")) is not None)]
        same: set[str] = set()
        for part in ("year", "month", "day"):
            if begin.get(part) != end.get(part):
                break
            same.add(part)
        if all(n in same for n in names):
            return self.render_single_date(begin, show, context)
        first = next(i for i, n in enumerate(names) if n not in same)
        last = next((i for i in range(first, len(names)) if names[i] in same), len(names))
        before, differing, after = names[:first], names[first:last], names[last:]
        dash_part = next(c for c in self.iterchildren() if c.get("name") == differing[0])
        dash = dash_part.get("range-delimiter", "\u2013")
        ctx = context if context is not None and context is not self else None
        delimiter = self._delimiter(context)

        def rendered(date: Any, which: list[str]) -> list[str]:
            parts = self.parts(date, which, ctx) if ctx is not None else self.parts(date, which)
            return [str(p) for p in parts if p is not None]

        left, right = rendered(begin, differing), rendered(end, differing)
        if left and right:
            # citeproc-js: the begin's last printed part loses its suffix, the end's first its prefix
            suffix = self._affix([n for n in differing if begin.get(n) is not None][-1:], "suffix")
            prefix = self._affix([n for n in differing if end.get(n) is not None][:1], "prefix")
            if suffix and left[-1].endswith(suffix):
                left[-1] = left[-1][: -len(suffix)]
            if prefix and right[0].startswith(prefix):
                right[0] = right[0][len(prefix):]
        middle = delimiter.join(left) + dash + delimiter.join(right)
        pieces = rendered(begin, before) + [middle] + rendered(begin, after)
        return String(delimiter.join(p for p in pieces if p))

    def _affix(self, names: list[str], which: str) -> str:
        """The ``prefix`` or ``suffix`` of the date-part named (the one name, if any)."""
        return next((c.get(which, "") for c in self.iterchildren() if names and c.get("name") == names[0]), "")

    def _delimiter(self, context: Any) -> str:
        """The delimiter between date parts: a locale date's own, else the caller's."""
        if self.get("delimiter") is not None:
            return self.get("delimiter")
        if context is not None and context is not self:
            return context.get("delimiter", "")
        return ""

    def render_single_date(self, date: Any, show_parts: Any = None, context: Any = None) -> Any:
        if context is None or context is self or not self.is_locale_date():
            return super().render_single_date(date, show_parts, context)
        parts = self.parts(date, show_parts, context)
        if not parts:
            return None
        return self.join(parts, context.get("delimiter", ""))


def _reference_value(item: Any, variable: str) -> str:
    """A variable of the item's reference as text ("" when it has none)."""
    try:
        return str(item.reference[variable.replace("-", "_")])
    except (model.VariableError, KeyError):
        return ""


def _cite_piece(item: Any, text: str) -> str:
    prefix = str(item.get("prefix", ""))
    if prefix and not prefix[-1].isspace() and prefix[-1] not in "([{":
        prefix += " "
    suffix = str(item.get("suffix", ""))
    return f"{prefix}{CITE}{item.key}{CITE_MID}{text}{CITE_END}{suffix}"


class _StyleXML(CitationStylesXML):
    """citeproc-py's style parser with our element classes; no schema validation (it
    only warns, and costs more than the formatting)."""

    def __init__(self, f: Any, validate: bool = True) -> None:
        lookup = etree.ElementNamespaceClassLookup()
        namespace = lookup.get_namespace(CSL_NS)
        namespace[None] = ANY_ELEMENT
        namespace.update(MEMOIZED)
        namespace.update({"text": _Text, "name": _Name, "names": _Names, "layout": _Layout,
                          "substitute": _Substitute, "date": _Date, "group": _Group, "number": _Number,
                          "label": _Label, "key": _Key, "sort": _Sort, "if": _If, "else-if": _ElseIf,
                          "style": _StyleRoot})
        self.parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
        self.parser.set_element_class_lookup(lookup)
        self.xml = etree.parse(f, self.parser)
        self.root = self.xml.getroot()
        # A cs:names without cs:name gets one now, so that it is ours (citeproc-py
        # would insert its own class at render time). Not inside cs:substitute: there a
        # bare cs:names inherits the enclosing one's cs:name (see _Names).
        for names in self.root.iter(f"{{{CSL_NS}}}names"):
            inside_substitute = any(a.tag == f"{{{CSL_NS}}}substitute" for a in names.iterancestors())
            if names.find(f"{{{CSL_NS}}}name") is None and not inside_substitute:
                names.insert(0, etree.Element(f"{{{CSL_NS}}}name"))
        # Every element's proxy kept alive, with its root: lxml then hands out the same
        # Python object each time (no class lookup per visit), and it remembers its root.
        self.elements = list(self.root.iter())
        for element in self.elements:
            if isinstance(element, _Memoized):
                fix(element, self.root)


class Style(CitationStylesStyle, _StyleXML):
    """CitationStylesStyle parsed by :class:`_StyleXML` (MRO puts it before the base)."""


class _Locale(CitationStylesLocale, _StyleXML):
    """A locale file parsed by :class:`_StyleXML`, so its date formats are ours too."""


class _StyleRoot(_Memoized, model.Style):
    """``cs:style`` that loads the locale files with :class:`_Locale`; otherwise
    citeproc-py's lookup order, unchanged: in-style locales for the dialect, the
    language, none; then the locale files for the dialect, the language, en-US."""

    def set_locale_list(self, output_locale: str, validate: bool = True) -> None:
        self.locales: list[Any] = []
        loaded: set[str] = set()

        def in_style(lang: str | None) -> None:
            expr = f'./cs:locale[@xml:lang="{lang}"]' if lang else "./cs:locale[not(@xml:lang)]"
            found = self.xpath_search(expr)
            if found:
                self.locales.append(found[0])

        def from_file(lang: str) -> None:
            if lang not in loaded:
                self.locales.append(_Locale(lang, validate=validate).root)
                loaded.add(lang)

        language = output_locale.split("-")[0]
        in_style(output_locale)
        in_style(language)
        in_style(None)
        if output_locale in LANGUAGE_NAMES:
            from_file(output_locale)
        if language in PRIMARY_DIALECTS:
            from_file(PRIMARY_DIALECTS[language])
        from_file("en-US")
        for locale in self.locales:
            locale.style = self
