"""Write the image and DICOM files of the de-identification fixtures (tests/deid/*/).

The files are committed; this script documents how they were made and remakes
them byte for byte with the same Pillow and pydicom:

    python tests/deid/make_fixtures.py

Every identifier planted here is invented (the names, numbers and places belong
to no one). Review the regenerated expected.txt files after running it
(``CASEPRESS_REGEN=1 pytest tests/test_deid.py``).
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import Image, PngImagePlugin

HERE = Path(__file__).resolve().parent
PLANTED = HERE / "planted"
ACKNOWLEDGED = HERE / "acknowledged"

XMP = b"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    photoshop:City="Anqiu">
   <dc:creator><rdf:Seq><rdf:li>Eleanor Whitfield</rdf:li></rdf:Seq></dc:creator>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def iptc_segment(datasets: dict[int, bytes]) -> bytes:
    """A JPEG APP13 segment holding IPTC-IIM record 2 datasets (Photoshop resource 0x0404)."""
    iim = b"".join(
        b"\x1c\x02" + bytes([tag]) + struct.pack(">H", len(v)) + v for tag, v in datasets.items()
    )
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    resource += b"\x00" * (len(iim) & 1)
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def photo_jpeg() -> bytes:
    """A clinical photograph as a phone would save it: GPS, dates, serial, owner, XMP, IPTC."""
    image = Image.new("RGB", (16, 12), (200, 150, 140))
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"  # Artist
    exif[0x010E] = "OLYMPUS DIGITAL CAMERA"  # ImageDescription: no identifier in it
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:03:02 10:41:07"  # DateTimeOriginal
    sub[0xA431] = "BX7730021"  # BodySerialNumber
    sub[0xA430] = "Jane Doe"  # CameraOwnerName
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (36.0, 42.0, 30.5), "E", (119.0, 6.0, 15.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, xmp=XMP)
    data = out.getvalue()
    app13 = iptc_segment({80: b"Jane Doe", 90: b"Weifang"})
    return data[:2] + app13 + data[2:]


def clinic_jpeg() -> bytes:
    """A photograph whose GPS position (the clinic's) and photographer the authors accept."""
    image = Image.new("RGB", (8, 8), (90, 120, 160))
    exif = Image.Exif()
    exif[0x013B] = "Ada Lovelace"  # Artist: an author, so no finding
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (36.0, 42.0, 0.0), "E", (119.0, 6.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def scan_png() -> bytes:
    """A scanned document: PNG text chunks with an author, a date and a comment."""
    image = Image.new("L", (10, 10), 128)
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Dr Jane Doe")
    info.add_text("Creation Time", "2024-03-02T10:41:07")
    info.add_text("Comment", "Scan for MRN 00482913, call 0536-8462123")
    info.add_text("Software", "casepress fixture")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


DRAWING = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
     xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"
     width="40" height="20" viewBox="0 0 40 20">
  <title>Right breast of Mrs Whitfield</title>
  <desc>Schematic of the excision site.</desc>
  <metadata>
    <rdf:RDF>
      <cc:Work rdf:about="">
        <dc:creator><cc:Agent><dc:title>Jane Doe</dc:title></cc:Agent></dc:creator>
      </cc:Work>
    </rdf:RDF>
  </metadata>
  <rect width="40" height="20" fill="#eeeeee"/>
  <text x="2" y="14" font-size="8">A</text>
</svg>
"""


def ct_dicom(path: Path) -> None:
    """A CT slice's header as a scanner writes it (no pixel data is needed)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.10001"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.1"
    ds = Dataset()
    ds.file_meta = meta
    ds.preamble = b"\x00" * 128
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "CT"
    ds.PatientName = "Whitfield^Eleanor"
    ds.PatientID = "00482913"
    ds.PatientBirthDate = "19310303"
    ds.PatientAge = "092Y"
    ds.PatientSex = "F"
    ds.InstitutionName = "Weifang Hospital"
    ds.ReferringPhysicianName = "Doe^Jane"
    ds.AccessionNumber = "ACC20240302"
    ds.StudyDate = "20240302"
    ds.BurnedInAnnotation = "YES"
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)


def main() -> None:
    figures = PLANTED / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    (figures / "photo.jpg").write_bytes(photo_jpeg())
    (figures / "scan.png").write_bytes(scan_png())
    (figures / "drawing.svg").write_text(DRAWING, encoding="utf-8")
    ct_dicom(PLANTED / "scans" / "ct-slice.dcm")
    (ACKNOWLEDGED / "figures").mkdir(parents=True, exist_ok=True)
    (ACKNOWLEDGED / "figures" / "clinic.jpg").write_bytes(clinic_jpeg())


if __name__ == "__main__":
    main()
