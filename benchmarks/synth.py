"""Synthetic inputs for the benchmarks: a large BibTeX library, many cases from the reference case."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

SURN = ["M{\\\"u}ller", "Garc{\\'\\i}a", "Smith", "von Au", "Nguyen", "Rahnenf\\\"uhrer", "O'Brien", "\\v{S}imek", "Fran\\c{c}ois", "Lee", "Kowalski", "de la Cruz", "Jensen", "Wang", "Brown"]
GIV = ["Anna", "J{\\\"o}rg", "Jos{\\'e}", "A.", "M.-L.", "Peter J.", "Li", "Ren{\\'e}e", "K."]
WORDS = ["acute", "kidney", "injury", "in", "a", "patient", "with", "{DNA}", "repair", "deficiency", "and", "{COVID}-19", "pneumonia", "treated", "with", "$\\alpha$-interferon", "case", "report", "of", "rare", "{Kawasaki}", "disease", "presenting", "as", "$^{18}$F-FDG", "uptake"]
JOUR = ["N Engl J Med", "Lancet", "{BMJ} Case Reports", "J Med Case Rep", "Clin Infect Dis", "{JAMA} Intern Med"]


def library(n: int = 570, seed: int = 7) -> str:
    """A realistic library (Zotero/Better BibTeX-like: accents, braces, math, abstracts, PMIDs)."""
    rng = random.Random(seed)
    out = ['@string{nejm = "N Engl J Med"}', "@comment{generated}"]
    for i in range(n):
        authors = " and ".join(f"{rng.choice(SURN)}, {rng.choice(GIV)}" for _ in range(rng.randint(1, 12)))
        if i % 17 == 0:
            authors += " and others"
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
        abstract = " ".join(rng.choice(WORDS) for _ in range(120))
        if i % 5 == 4:
            out.append(
                f"@inproceedings{{key{i},\n  title = {{{{{title}}}}},\n  author = {{{authors}}},\n"
                f"  booktitle = {{Proceedings of the {{International}} Conference on Medicine}},\n  year = {{2019}},\n"
                f"  pages = {{{i}--{i + 9}}},\n  publisher = {{Springer}},\n  address = {{Berlin}},\n"
                f"  doi = {{10.1007/978-3-030-{i:05d}-1_{i}}},\n}}"
            )
        else:
            out.append(
                f"@article{{key{i},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
                f"  date = {{2020-0{1 + i % 9}-1{i % 10}}},\n  journaltitle = {{{rng.choice(JOUR)}}},\n"
                f"  shortjournal = {{J}},\n  volume = {{{i % 80}}},\n  number = {{{i % 12 + 1}}},\n"
                f"  pages = {{{i}--{i + 7}}},\n  doi = {{10.1000/jmcr.{i}.{i * 7}}},\n"
                f"  url = {{https://example.org/articles/{i}?q=a%20b}},\n  urldate = {{2024-01-15}},\n"
                f"  langid = {{english}},\n  keywords = {{case report,rare disease}},\n  abstract = {{{abstract}}},\n"
                f"  file = {{/home/user/Zotero/storage/ABCD{i}/paper.pdf}},\n  eprint = {{{30000000 + i}}},\n"
                f"  eprinttype = {{pmid}},\n}}"
            )
    return "\n\n".join(out) + "\n"


def cases(n: int, reference: Path, root: Path) -> list[Path]:
    """``n`` cases under ``root/cases/`` derived from the reference case, each with its own title,
    a varied sentence and a rotated citation order, so that no two builds are the same."""
    made = []
    text = (reference / "case.yaml").read_text(encoding="utf-8")
    for i in range(n):
        folder = root / "cases" / f"synthetic-{i:03d}"
        shutil.copytree(reference, folder)
        variant = text.replace("occurring 11 years after", f"occurring {11 + i % 7} years after", 1)
        variant = re.sub(r"A 47-year-old woman", f"A {40 + i % 30}-year-old woman", variant, count=1)
        known = set(re.findall(r"@article\{(\w+),", (reference / "references.bib").read_text(encoding="utf-8")))
        keys = [k for k in re.findall(r"\[@(\w+)\]", variant) if k in known]
        if keys:  # cite one more reference early, so numbering differs between cases
            extra = keys[(i * 7) % len(keys)]
            variant = variant.replace("[@allred2010]", f"[@allred2010; @{extra}]", 1) if extra != "allred2010" else variant
        (folder / "case.yaml").write_text(variant, encoding="utf-8")
        made.append(folder)
    return made


_PARAGRAPH = """    - care: [11b]
      text: >-
        Extra paragraph {n}: close contact casting is an alternative to surgery in older adults
        [@willett2016], and the Ottawa ankle rules [@stiell1992] spare {n} radiographs in
        every hundred patients; the stability of the fracture decides the treatment.
"""


def varied_cases(n: int, template: Path, root: Path, long_every: int = 0, long_paragraphs: int = 60) -> list[Path]:
    """``n`` cases under ``root/cases/`` copied from ``template`` (a case with a ``discussion.paragraphs``
    list, e.g. tests/samples/ankle-fracture), each with its own title and 0-3 extra discussion
    paragraphs; with ``long_every`` k, every k-th case gets ``long_paragraphs`` more, so a batch
    holds a few much longer cases (the ones a scheduler must start first)."""
    text = (template / "case.yaml").read_text(encoding="utf-8")
    anchor = "  conclusion: >-\n    Stability decides"
    if anchor not in text:
        raise ValueError(f"{template}/case.yaml has no discussion conclusion to lengthen before")
    made = []
    for i in range(n):
        folder = root / "cases" / f"case-{i:05d}"
        shutil.copytree(template, folder)
        count = i % 4 + (long_paragraphs if long_every and i % long_every == long_every - 1 else 0)
        extra = "".join(_PARAGRAPH.format(n=f"{i}.{j}") for j in range(count))
        variant = text.replace("in an older woman: a case report", f"in an older woman ({i}): a case report", 1)
        (folder / "case.yaml").write_text(variant.replace(anchor, extra + anchor, 1), encoding="utf-8")
        made.append(folder)
    return made
