"""How people type region names: the scenario's part of the region data.

The regions themselves (codes, labels, time zones, aliases, ``normalise``) are the
product's official reference data, ``reference/regions.py``; this module re-exports
them for the scenario and adds ``typed_variants``.
"""

from __future__ import annotations

from reference.regions import *  # noqa: F403 (the scenario reads the regions through this module)
from reference.regions import ALIASES, Region, normalise


def typed_variants(r: Region) -> list[str]:
    """Ways a user of the local government ``r`` types its name; each resolves to ``r``."""
    n = r.short_name
    if r.kind == "kab":
        forms = [
            f"Kab. {n}",
            f"Kabupaten {n}",
            f"kab {n.lower()}",
            f"KAB. {n.upper()}",
            f"Pemkab {n}",
            f"Pemkab. {n}",
            f"Pemerintah Kabupaten {n}",
            f"BPKAD Kab. {n}",
            f"Bappeda Kab. {n}",
            f"DPRD Kabupaten {n}",
            f"kab.{n}",
            f"Kab {n}",
            n,
        ]
    elif r.kind == "kota":
        forms = [
            f"Kota {n}",
            f"kota {n.lower()}",
            f"KOTA {n.upper()}",
            f"Pemkot {n}",
            f"Pemkot. {n}",
            f"Pemerintah Kota {n}",
            f"BPKAD Kota {n}",
            f"Bappeda Kota {n}",
            f"DPRD Kota {n}",
            n,
        ]
    else:
        forms = [
            f"Prov. {n}",
            f"Provinsi {n}",
            f"prov {n.lower()}",
            f"PROVINSI {n.upper()}",
            f"Pemprov {n}",
            f"Pemprov. {n}",
            f"Pemerintah Provinsi {n}",
            f"BPKAD Prov. {n}",
            f"Bapenda Provinsi {n}",
            f"DPRD Provinsi {n}",
            n,
        ]
        forms += [a for a, label, _ in ALIASES if label == r.label]
        forms += [f"Prov. {a}" for a, label, why in ALIASES if label == r.label and why == "abbreviation"]
    for a, label, _ in ALIASES:
        if label == r.label and r.kind != "prov":
            forms.append(f"{'Kab.' if r.kind == 'kab' else 'Kota'} {a}")
    return [f for f in dict.fromkeys(forms) if normalise(f) == r.code]
