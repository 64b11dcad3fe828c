"""The published employee-advocacy figures (simulators/employee_advocacy/snapshots.yaml,
copied from the spec) against summary.json's `employee_advocacy.editions`, matched by
order. Null figures and the ones a snapshot contradicts itself on are exempt."""

from __future__ import annotations

from simulators.employee_advocacy.world import snapshots

SCALARS = (
    "target",
    "realisasi_pegawai",
    "pct_of_target",
    "pct_of_all_employees",
    "all_employees",
    "activations_total",
    "social_media_total",
)


def mismatches(editions: list[dict]) -> list[str]:
    out = []
    published = snapshots()["editions"]
    if len(editions) != len(published):
        out.append(f"{len(editions)} editions, the report has {len(published)}")
    checked = 0
    for ed, got in zip(published, editions, strict=False):
        skip = set(ed["inconsistent"])
        pairs = [(k, ed[k], got[k]) for k in SCALARS]
        pairs += [(f"activations.{k}", v, got["activations"][k]) for k, v in ed["activations"].items()]
        pairs += [(f"activation_pcts.{k}", v, got["activation_pcts"][k]) for k, v in ed["activation_pcts"].items()]
        pairs += [(f"platforms.{k}", v, got["platforms"][k]) for k, v in ed["platforms"].items()]
        pairs.append(("quarter_printed", ed["quarter_printed"], got["quarter"].split("-")[-1]))
        if ed.get("unlabeled_platform_values"):
            pairs.append(
                (
                    "unlabeled_platform_values",
                    ed["unlabeled_platform_values"],
                    sorted(got["platforms"].values(), reverse=True)[: len(ed["unlabeled_platform_values"])],
                )
            )
        for name, want, have in pairs:
            if want is None or name in skip:
                continue
            checked += 1
            if (want != have) if isinstance(want, (list, str)) else round(float(want), 2) != round(float(have), 2):
                out.append(f"{ed['id']} (index {ed['index']}) {name}: published {want}, summary {have}")
    if not out and checked < 25 * 7:
        out.append(f"only {checked} figures checked")
    return out
