"""Reading a PDF back: its text (whitespace normalised) and the URIs of its link annotations."""

import io
import re

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def pdf_links(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    links = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and action.get("/URI"):
                links.append(str(action["/URI"]))
    return links
