"""Local stand-in for the Avaya call center's landing folder (see ``drop``)."""

from simulators.avaya.drop import AvayaStandIn, cdr_name, cdr_text, hagent_name, hsplit_name

__all__ = ["AvayaStandIn", "cdr_name", "cdr_text", "hagent_name", "hsplit_name"]
