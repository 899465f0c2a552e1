"""Identifying attributes of DICOM file headers (read with pydicom, when it is installed)."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

from casepress.check.deid.findings import KnownPeople
from casepress.check.deid.metadata import MetaHit, _field_hit


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
