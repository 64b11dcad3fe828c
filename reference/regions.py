"""Indonesian regions (Kemendagri codes) and how people type them.

The official list comes from the npm package ``idn-area-data`` 4.0.1 (ODbL; its
``provinces.csv`` and ``regencies.csv`` are copied verbatim under
``data/idn_area_data/``): 38 provinces and 514 regencies/cities, 416 "Kabupaten"
and 98 "Kota", counting DKI Jakarta's five administrative cities and one
administrative regency (which are not autonomous local governments: their local
government is the province).

This module is the one place that knows

* each region's code, kind, official label ("Kab. Wajo", "Kota Banjar",
  "Prov. Sumatera Barat"), province and time zone (WIB/WITA/WIT by province);
* the words people put before a region name ("Pemkab", "BPKAD", "Prov.") and the
  aliases they use ("Sumbar", "DKI", "Jogja", "Pangkalpinang");
* ``normalise(text)``: the Python twin of the dbt normalisation in
  ``fct_consultations`` (same seeds, same rule).

It is reference data of the product, from the official list: the stand-ins use
it (their region module adds how people type names), never the
other way round.

``python -m reference.regions --write-seeds dbt_project/seeds``
regenerates the dbt seeds ``ref_regions.csv``, ``ref_region_aliases.csv`` and
``ref_region_text_prefixes.csv`` from the data above (a test checks they are current).
"""

from __future__ import annotations

import argparse
import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "idn_area_data"
SOURCE_NOTE = "idn-area-data 4.0.1 (npm, ODbL)"

# Time zone by province code (UU / Keppres 41/1987): WIB UTC+7, WITA UTC+8, WIT UTC+9.
WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}
TIMEZONES = {
    "WIB": (7, "Asia/Jakarta"),
    "WITA": (8, "Asia/Makassar"),
    "WIT": (9, "Asia/Jayapura"),
}

# Short province names where the official one is long.
PROVINCE_SHORT_NAMES = {"31": "DKI Jakarta", "34": "DI Yogyakarta"}

# Words typed before a region name. ``kind`` tells which kind of region they announce.
PREFIX_WORDS: list[tuple[str, str | None]] = [
    ("kab", "kab"),
    ("kabupaten", "kab"),
    ("pemkab", "kab"),
    ("kota", "kota"),
    ("pemkot", "kota"),
    ("kotamadya", "kota"),
    ("prov", "prov"),
    ("provinsi", "prov"),
    ("propinsi", "prov"),
    ("pemprov", "prov"),
    ("pemerintah", None),
    ("pemda", None),
    ("administrasi", None),
    ("adm", None),
    ("bpkad", None),
    ("bpkd", None),
    ("bkad", None),
    ("bpkpd", None),
    ("bppkad", None),
    ("bapenda", None),
    ("bappeda", None),
    ("bappelitbangda", None),
    ("dprd", None),
    ("setda", None),
    ("setwan", None),
    ("sekretariat", None),
    ("inspektorat", None),
    ("dinas", None),
    ("kantor", None),
]

# Aliases: (alias as typed, official label of the region, why). Cleaned with ``clean`` when written to the seed.
ALIASES: list[tuple[str, str, str]] = [
    # province abbreviations in common use
    ("NAD", "Prov. Aceh", "abbreviation"),
    ("Sumut", "Prov. Sumatera Utara", "abbreviation"),
    ("Sumbar", "Prov. Sumatera Barat", "abbreviation"),
    ("Sumsel", "Prov. Sumatera Selatan", "abbreviation"),
    ("Babel", "Prov. Kepulauan Bangka Belitung", "abbreviation"),
    ("Bangka Belitung", "Prov. Kepulauan Bangka Belitung", "short name"),
    ("Kepri", "Prov. Kepulauan Riau", "abbreviation"),
    ("DKI", "Prov. DKI Jakarta", "abbreviation"),
    ("Jakarta", "Prov. DKI Jakarta", "short name"),
    ("Daerah Khusus Ibukota Jakarta", "Prov. DKI Jakarta", "official name"),
    ("Daerah Khusus Jakarta", "Prov. DKI Jakarta", "name since 2024"),
    ("Jabar", "Prov. Jawa Barat", "abbreviation"),
    ("Jateng", "Prov. Jawa Tengah", "abbreviation"),
    ("DIY", "Prov. DI Yogyakarta", "abbreviation"),
    ("Daerah Istimewa Yogyakarta", "Prov. DI Yogyakarta", "official name"),
    ("Jogja", "Prov. DI Yogyakarta", "colloquial"),
    ("Jogjakarta", "Prov. DI Yogyakarta", "colloquial"),
    ("Yogyakarta", "Prov. DI Yogyakarta", "short name; alone it is ambiguous with Kota Yogyakarta"),
    ("Jatim", "Prov. Jawa Timur", "abbreviation"),
    ("NTB", "Prov. Nusa Tenggara Barat", "abbreviation"),
    ("NTT", "Prov. Nusa Tenggara Timur", "abbreviation"),
    ("Kalbar", "Prov. Kalimantan Barat", "abbreviation"),
    ("Kalteng", "Prov. Kalimantan Tengah", "abbreviation"),
    ("Kalsel", "Prov. Kalimantan Selatan", "abbreviation"),
    ("Kaltim", "Prov. Kalimantan Timur", "abbreviation"),
    ("Kaltara", "Prov. Kalimantan Utara", "abbreviation"),
    ("Sulut", "Prov. Sulawesi Utara", "abbreviation"),
    ("Sulteng", "Prov. Sulawesi Tengah", "abbreviation"),
    ("Sulsel", "Prov. Sulawesi Selatan", "abbreviation"),
    ("Sultra", "Prov. Sulawesi Tenggara", "abbreviation"),
    ("Sulbar", "Prov. Sulawesi Barat", "abbreviation"),
    ("Malut", "Prov. Maluku Utara", "abbreviation"),
    # spellings without spaces or with other spaces
    ("Pangkalpinang", "Kota Pangkal Pinang", "spelling"),
    ("Tanjungpinang", "Kota Tanjung Pinang", "spelling"),
    ("Tolitoli", "Kab. Toli-Toli", "spelling"),
    ("Baubau", "Kota Bau Bau", "spelling"),
    ("Padang Sidempuan", "Kota Padangsidimpuan", "spelling"),
    ("Pematang Siantar", "Kota Pematangsiantar", "spelling"),
    ("Bandarlampung", "Kota Bandar Lampung", "spelling"),
    ("Labuhan Batu", "Kab. Labuhanbatu", "spelling"),
    ("Labuhan Batu Selatan", "Kab. Labuhanbatu Selatan", "spelling"),
    ("Labuhan Batu Utara", "Kab. Labuhanbatu Utara", "spelling"),
    # common short forms
    ("OKU", "Kab. Ogan Komering Ulu", "abbreviation"),
    ("OKU Timur", "Kab. Ogan Komering Ulu Timur", "abbreviation"),
    ("OKU Selatan", "Kab. Ogan Komering Ulu Selatan", "abbreviation"),
    ("OKI", "Kab. Ogan Komering Ilir", "abbreviation"),
    ("Muba", "Kab. Musi Banyuasin", "abbreviation"),
    ("Kukar", "Kab. Kutai Kartanegara", "abbreviation"),
    ("Sangihe", "Kab. Kepulauan Sangihe", "short name"),
]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def clean(text: str | None) -> str:
    """Lower case, every run of non-alphanumerics one space, trimmed (the dbt rule)."""
    if text is None:
        return ""
    return _NON_ALNUM.sub(" ", text.lower()).strip()


@dataclass(frozen=True)
class Region:
    code: str  # "73" province, "73.13" regency/city
    kind: str  # "prov" | "kab" | "kota"
    name: str  # as in the official list: "Kabupaten Wajo", "Sumatera Barat"
    short_name: str  # "Wajo", "Sumatera Barat", "Jakarta Pusat"
    label: str  # "Kab. Wajo", "Prov. Sumatera Barat", "Kota Adm. Jakarta Pusat"
    province_code: str
    province_name: str
    timezone: str  # "WIB" | "WITA" | "WIT"
    is_autonomous: bool  # False for DKI Jakarta's administrative cities/regency

    @property
    def utc_offset(self) -> int:
        return TIMEZONES[self.timezone][0]

    @property
    def tz_name(self) -> str:
        return TIMEZONES[self.timezone][1]

    @property
    def core(self) -> str:
        return clean(self.short_name)

    @property
    def local_government_code(self) -> str:
        """The autonomous local government (Pemda) the region belongs to."""
        return self.code if self.is_autonomous else self.province_code


def _timezone(province_code: str) -> str:
    if province_code in WIT_PROVINCES:
        return "WIT"
    if province_code in WITA_PROVINCES:
        return "WITA"
    return "WIB"


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def all_regions() -> tuple[Region, ...]:
    """Every province, then every regency/city, in code order."""
    provinces = {r["code"]: r["name"] for r in _read("provinces.csv")}
    out: list[Region] = []
    for code, name in provinces.items():
        short = PROVINCE_SHORT_NAMES.get(code, name)
        out.append(Region(code, "prov", name, short, f"Prov. {short}", code, short, _timezone(code), True))
    for r in _read("regencies.csv"):
        name, pcode = r["name"], r["province_code"]
        pshort = PROVINCE_SHORT_NAMES.get(pcode, provinces[pcode])
        for prefix, kind, label_prefix, autonomous in (
            ("Kabupaten Administrasi ", "kab", "Kab. Adm.", False),
            ("Kota Administrasi ", "kota", "Kota Adm.", False),
            ("Kabupaten ", "kab", "Kab.", True),
            ("Kota ", "kota", "Kota", True),
        ):
            if name.startswith(prefix):
                short = name[len(prefix) :]
                out.append(
                    Region(
                        r["code"],
                        kind,
                        name,
                        short,
                        f"{label_prefix} {short}",
                        pcode,
                        pshort,
                        _timezone(pcode),
                        autonomous,
                    )
                )
                break
        else:  # pragma: no cover - the data has no other kind
            raise ValueError(f"unknown region kind: {name}")
    return tuple(sorted(out, key=lambda x: [int(p) for p in x.code.split(".")]))


@lru_cache(maxsize=1)
def by_code() -> dict[str, Region]:
    return {r.code: r for r in all_regions()}


@lru_cache(maxsize=1)
def alias_codes() -> list[tuple[str, str]]:
    """(alias as typed, region code) for every alias."""
    return [(alias, by_label(label).code) for alias, label, _ in ALIASES]


def region(code: str) -> Region:
    return by_code()[code]


def by_label(label: str) -> Region:
    """A region by its official label, e.g. ``by_label("Kab. Wajo")``."""
    for r in all_regions():
        if r.label == label:
            return r
    raise KeyError(label)


def local_governments() -> list[Region]:
    """The autonomous local governments (38 provinces + 508 regencies/cities)."""
    return [r for r in all_regions() if r.is_autonomous]


# ------------------------------------------------------------------ normalisation

_PREFIX_KIND = dict(PREFIX_WORDS)


@lru_cache(maxsize=1)
def _candidates() -> dict[str, list[tuple[str, str]]]:
    """core -> [(code, kind)] from official short names and aliases."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in all_regions():
        out.setdefault(r.core, []).append((r.code, r.kind))
    for alias, code in alias_codes():
        entry = (code, region(code).kind)
        lst = out.setdefault(clean(alias), [])
        if entry not in lst:
            lst.append(entry)
    return out


def split_prefix(cleaned: str) -> tuple[str | None, str]:
    """(kind announced by the leading prefix words or None or "conflict", the rest)."""
    tokens = cleaned.split(" ") if cleaned else []
    i = 0
    kinds: set[str] = set()
    # The last token is never a prefix: "pemkab" alone names nothing.
    while i < len(tokens) - 1 and tokens[i] in _PREFIX_KIND:
        if _PREFIX_KIND[tokens[i]]:
            kinds.add(_PREFIX_KIND[tokens[i]])  # type: ignore[arg-type]
        i += 1
    kind = None if not kinds else (kinds.pop() if len(kinds) == 1 else "conflict")
    return kind, " ".join(tokens[i:])


def normalise(text: str | None) -> str | None:
    """Kemendagri code of a typed region, or None when it does not resolve to exactly one.

    1. clean (lower case, punctuation to spaces); 2. strip the leading prefix words
    (``PREFIX_WORDS``), noting the kind they announce; 3. the rest must equal one
    region's short name or an alias, of that kind when a kind was announced.
    Ambiguous (Kediri: a regency and a city) or unknown text stays None: never guessed.
    """
    cleaned = clean(text)
    if not cleaned:
        return None
    kind, core = split_prefix(cleaned)
    if kind == "conflict":
        return None
    codes = {code for code, k in _candidates().get(core, []) if kind is None or k == kind}
    return codes.pop() if len(codes) == 1 else None


# ------------------------------------------------------------------------- seeds


def write_seeds(seed_dir: Path) -> list[Path]:
    """Write ref_regions.csv, ref_region_aliases.csv and ref_region_text_prefixes.csv."""
    seed_dir = Path(seed_dir)
    paths = []
    path = seed_dir / "ref_regions.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "region_code",
                "region_kind",
                "region_name",
                "region_short_name",
                "region_label",
                "province_code",
                "province_name",
                "timezone",
                "utc_offset_hours",
                "tz_name",
                "is_autonomous",
                "local_government_code",
                "match_key",
            ]
        )
        for r in all_regions():
            w.writerow(
                [
                    r.code,
                    r.kind,
                    r.name,
                    r.short_name,
                    r.label,
                    r.province_code,
                    r.province_name,
                    r.timezone,
                    r.utc_offset,
                    r.tz_name,
                    str(r.is_autonomous).lower(),
                    r.local_government_code,
                    r.core,
                ]
            )
    paths.append(path)
    path = seed_dir / "ref_region_aliases.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["alias", "region_code", "note"])
        for alias, label, why in sorted(ALIASES, key=lambda a: clean(a[0])):
            w.writerow([clean(alias), by_label(label).code, why])
    paths.append(path)
    path = seed_dir / "ref_region_text_prefixes.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["word", "announces_kind"])
        for word, kind in PREFIX_WORDS:
            w.writerow([word, kind or ""])
    paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reference.regions", description=__doc__)
    ap.add_argument("--write-seeds", metavar="DIR", help="write the dbt reference seeds into DIR")
    args = ap.parse_args(argv)
    if args.write_seeds:
        for p in write_seeds(Path(args.write_seeds)):
            print(p)
    else:
        regs = all_regions()
        print(f"{len(regs)} regions from {SOURCE_NOTE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
