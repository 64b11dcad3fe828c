"""Compare two dbt builds node by node: where the time of the larger one went.

    python -m bench.dbt_nodes A/run_results.json B/run_results.json [--top 25] [--manifest M]

Prints, for every node of both builds, its execution time in A and in B and the
difference, the largest differences first, then the sums (models and tests apart).
With ``--manifest`` (a ``manifest.json`` of the project), also the sums by group: a model by
its materialisation (marts apart), a data test by the materialisation of the model it tests
(tests scoped to recent rows apart).
`make bench-scale` keeps each daily build's target folder (``<workdir>/target/<db>``),
so A is the 1x daily build and B the 10x one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def node_times(path: Path) -> dict[str, float]:
    results = json.loads(path.read_text())["results"]
    return {r["unique_id"]: float(r.get("execution_time") or 0.0) for r in results}


def compare(a: dict[str, float], b: dict[str, float]) -> list[tuple[str, float, float, float]]:
    rows = [(n, a.get(n, 0.0), b.get(n, 0.0), b.get(n, 0.0) - a.get(n, 0.0)) for n in set(a) | set(b)]
    return sorted(rows, key=lambda r: -r[3])


def kind(node: str) -> str:
    return node.split(".", 1)[0]


def group(node: str, manifest: dict) -> str:
    nodes = manifest.get("nodes", {})
    meta = nodes.get(node, {})
    if node.startswith("model."):
        marts = "/marts/" in meta.get("original_file_path", "")
        return f"model {meta.get('config', {}).get('materialized', '?')}" + (" (marts)" if marts else "")
    if node.startswith("test."):
        tested = nodes.get(meta.get("attached_node") or "", {})
        scoped = "recent_rows" in str(meta.get("config", {}).get("where") or "")
        return f"test of {tested.get('config', {}).get('materialized', '?')}" + (" (scoped)" if scoped else "")
    return kind(node)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--manifest", type=Path, help="manifest.json: also sum by materialisation")
    args = ap.parse_args(argv)
    rows = compare(node_times(args.a), node_times(args.b))
    print(f"{'node':90} {'A s':>7} {'B s':>7} {'B-A s':>7}")
    for n, ta, tb, d in rows[: args.top]:
        print(f"{n[:90]:90} {ta:7.2f} {tb:7.2f} {d:7.2f}")
    for k in sorted({kind(r[0]) for r in rows}):
        sa = sum(r[1] for r in rows if kind(r[0]) == k)
        sb = sum(r[2] for r in rows if kind(r[0]) == k)
        print(f"sum of {k} nodes: A {sa:.1f} s, B {sb:.1f} s, B-A {sb - sa:.1f} s")
    if args.manifest:
        manifest = json.loads(args.manifest.read_text())
        sums: dict[str, list[float]] = {}
        for n, ta, tb, _ in rows:
            acc = sums.setdefault(group(n, manifest), [0.0, 0.0])
            acc[0] += ta
            acc[1] += tb
        print(f"{'group':40} {'A s':>7} {'B s':>7} {'B-A s':>7}")
        for g, (sa, sb) in sorted(sums.items(), key=lambda kv: kv[1][0] - kv[1][1]):
            print(f"{g:40} {sa:7.1f} {sb:7.1f} {sb - sa:7.1f}")


if __name__ == "__main__":
    main()
