"""CARE lints: warnings drawn from the checklist's wording (a title that names the case, two to
five key words, an introduction and a discussion that cite, interventions and outcomes in the
timeline, consent recorded). Each can be disabled per case with a reason."""

from __future__ import annotations

import re
from typing import Any

from casepress.core.diagnostics import warning_code
from casepress.model import Case, NotReported, is_reported


_STOPWORDS = {"with", "from", "into", "that", "this", "therapy", "treatment", "the", "and", "of", "to"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 4 and w not in _STOPWORDS}


def _cites(text: str | None) -> bool:
    from casepress.text import markup

    return bool(text) and any(group.citations for group in markup.scan(str(text)))


warning_code("care-title", "the title does not say 'case report' and name the area of focus (CARE 1)")
warning_code("care-keywords", "fewer than two or more than five key words (CARE 2)")
warning_code("care-introduction-citations", "the introduction cites no literature (CARE 4)")
warning_code("care-discussion-citations", "the discussion cites no literature (CARE 11b)")
warning_code("care-timeline-interventions", "a structured intervention is not in the timeline (CARE 7)",
             "{n} interventions do not appear in the timeline")
warning_code("care-timeline-outcome", "the timeline has no outcome event though outcomes are reported (CARE 7)")
warning_code("care-consent", "informed consent is not obtained or not recorded (CARE 13)")


def care_lints(case: Case, ctx: Any, diagnostics: Any) -> None:
    """Warnings drawn from the CARE checklist's wording; each can be disabled per case with a reason."""
    from casepress.model import Consent, Timeline

    title = str(case.title)
    if "case report" not in title.lower():
        diagnostics.warning("care-title", "the title does not name the case as a 'case report' (CARE 1)",
                            ctx.at(("title",)), "title")
    elif len(_words(re.sub(r"(?i)case report", "", title))) < 2:
        diagnostics.warning("care-title", "the title does not name the area of focus (symptom, diagnosis, test or intervention) (CARE 1)",
                            ctx.at(("title",)), "title")
    keywords = case.keywords
    if isinstance(keywords, list) and not 2 <= len(keywords) <= 5:
        diagnostics.warning("care-keywords", f"{len(keywords)} key words; CARE asks for two to five (CARE 2)",
                            ctx.at(("keywords",)), "keywords")
    if is_reported(case.introduction) and not _cites(case.introduction):
        diagnostics.warning("care-introduction-citations", "the introduction cites no literature (CARE 4)",
                            ctx.at(("introduction",)), "introduction")
    discussion = case.discussion
    if discussion is not None and not any(_cites(p.text) for p in discussion.paragraphs):
        diagnostics.warning("care-discussion-citations", "the discussion cites no literature (CARE 11b)",
                            ctx.at(("discussion",), key=True), "discussion")
    timeline = case.timeline
    if isinstance(timeline, Timeline):
        event_words = set().union(*(_words(str(e.text)) for e in timeline.events))
        therapy = case.therapeutic_intervention
        for i, intervention in enumerate(therapy.interventions if therapy else []):
            if not _words(intervention.name) & event_words:
                path = ("therapeutic_intervention", "interventions", i, "name")
                diagnostics.warning(
                    "care-timeline-interventions",
                    f"intervention '{intervention.name}' does not appear in the timeline (CARE 7)",
                    ctx.at(path), path,
                )
        outcomes_reported = case.follow_up is not None and is_reported(case.follow_up.outcomes)
        if outcomes_reported and not any(e.kind == "outcome" for e in timeline.events):
            diagnostics.warning("care-timeline-outcome", "the timeline has no outcome event, though outcomes are reported (CARE 7)",
                                ctx.at(("timeline", "events"), key=True), "timeline.events")
    consent = case.informed_consent
    if isinstance(consent, Consent) and not consent.obtained:
        diagnostics.warning("care-consent", "informed consent to publication was not obtained (CARE 13)",
                            ctx.at(("informed_consent", "obtained")), "informed_consent.obtained")
    elif isinstance(consent, NotReported):
        diagnostics.warning("care-consent", "informed consent is not recorded; journals require it (CARE 13)",
                            ctx.at(("informed_consent",)), "informed_consent")
