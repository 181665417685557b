"""Is the verdict as honest as it says? Calibration, power and time of the study protocol.

    python benchmarks/bench_calibration.py [--studies 100] [--power 20] [--shared 40]
                                           [--parts aa,power,time] [--json out.json]

1. **A/A false-claim rate** (``aa``): ``--studies`` A/A studies (one loss against a
   copy of itself, each arm from its own seeds, a new validation draw per study:
   :func:`lossterm.calibrate`) on regression (mse) and circles (bce) at the default
   protocol (10 paired replicates, each choosing its own rate on validation, one seed
   per rate), and ``--shared`` of them under the earlier shared protocol (one tuning per
   arm with 3 seeds per rate, then 10 final seeds at its rate) for contrast. The claim a
   verdict makes is "at most 5%": the issue's bar is no more than 8 claims in 100.
2. **Power** (``power``): ``--power`` studies each of two pairs with a real
   difference, at the default 10 replicates, new seeds and validation draw each:
   mse vs mae on regression, and categorical cross-entropy vs MAE on probabilities on
   digits with 40% symmetric label noise (a new noise draw each). Counted: verdicts
   that named a winner, and in which direction. The shared protocol detected 8/20 and
   10/20 of these (issue 18's measurement).
3. **Time** (``time``): the README's 4-loss circles study (bce, hinge, squared hinge,
   focal) as a fresh process each, TensorFlow's import included, under both protocols,
   alternated ``--repeat`` times; printed: the medians and their ratio.

Each part prints its table when it ends. The machine may be shared and has 2 cores:
read the time part's ratio, measured in one run, not its seconds alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

AA = (("regression", "mse"), ("circles", "bce"))
POWER = (("regression", ("mse", "mae"), 0.0), ("digits", ("cce", "mae_prob"), 0.4))
CIRCLES = ("bce", "hinge", "squared_hinge", "binary_focal_crossentropy")


def _interval(claims: int, n: int) -> tuple[float, float]:
    from scipy.stats import binomtest

    ci = binomtest(claims, n).proportion_ci(0.95, method="exact")
    return float(ci.low), float(ci.high)


def aa_part(studies: int, shared: int, cases=AA) -> list[dict]:
    import lossterm

    rows = []
    for problem, loss in cases:
        for selection, n in (("replicate", studies), ("shared", shared)):
            if n < 1:
                continue
            tick = time.perf_counter()
            c = lossterm.calibrate(problem, loss, n, selection=selection, on_study=_dot,
                                   tune_seeds=1 if selection == "replicate" else 3)
            print(file=sys.stderr)
            low, high = c.interval
            rows.append({"problem": problem, "loss": loss, "selection": selection,
                         "studies": n, "claims": c.claims, "rate": c.rate, "ci": [low, high],
                         "rates_disagree": c.disagreeing_rates,
                         "replicates": sum(len(s.chosen_rates) for s in c.studies),
                         "seconds": time.perf_counter() - tick})
            _print_aa(rows[-1:])
    return rows


def _dot(so_far) -> None:
    s = so_far.studies[-1]
    print("x" if s.claimed else ".", end="", file=sys.stderr, flush=True)


def _print_aa(rows: list[dict]) -> None:
    for r in rows:
        print(f"A/A {r['problem']:<10} {r['loss']:<4} {r['selection']:<9} "
              f"{r['claims']:>3}/{r['studies']:<3} claims = {r['rate']:.1%} "
              f"(95% CI {r['ci'][0]:.1%}–{r['ci'][1]:.1%}); arms chose different rates in "
              f"{r['rates_disagree']}/{r['replicates']} replicates; {r['seconds']:.0f} s",
              flush=True)


def power_part(n: int, selection: str = "replicate", tune_seeds: int = 1,
               cases=POWER) -> list[dict]:
    import lossterm
    from lossterm.data.perturb import Perturbation, perturb
    from lossterm.data.problems import get_problem

    rows = []
    for name, losses, noise in cases:
        winners: dict[str, int] = {}
        gaps = []
        tick = time.perf_counter()
        for i in range(n):
            problem = get_problem(name)
            if noise:
                problem = perturb(problem, Perturbation(label_noise=noise, seed=i))
            s = lossterm.study(problem, list(losses), seed=100_000 * i, data_seed=i,
                               selection=selection, tune_seeds=tune_seeds)
            tied = s.verdict.tied_for_best
            if len(tied) < 2:
                short = losses[[x.loss for x in s.losses].index(tied[0])]
                winners[short] = winners.get(short, 0) + 1
            a, b = s.losses  # in the order given
            gaps.append(statistics.fmean(a.test.values()) - statistics.fmean(b.test.values()))
            print("x" if len(tied) < 2 else ".", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        rows.append({"problem": name + (f"+noise{noise:g}" if noise else ""),
                     "pair": list(losses), "selection": selection, "studies": n,
                     "tune_seeds": tune_seeds,
                     "detected": sum(winners.values()), "winners": winners,
                     "mean_gap": statistics.fmean(gaps),
                     "median_gap": statistics.median(gaps), "seconds": time.perf_counter() - tick})
        _print_power(rows[-1:])
    return rows


def _print_power(rows: list[dict]) -> None:
    for r in rows:
        who = ", ".join(f"{k} {v}" for k, v in r["winners"].items()) or "none"
        print(f"power {r['problem']:<18} {' vs '.join(r['pair']):<16} {r['selection']:<9} "
              f"k={r.get('tune_seeds', 1)} "
              f"detected {r['detected']:>2}/{r['studies']} (winner: {who}); first − second "
              f"mean {r['mean_gap']:+.4f}, median {r.get('median_gap', float('nan')):+.4f}; "
              f"{r['seconds']:.0f} s", flush=True)


def time_part(repeat: int) -> dict:
    code = ("import lossterm, sys; s = lossterm.study('circles', {losses!r}, "
            "selection={sel!r}); print(s.verdict.line)")
    cli = [sys.executable, "-m", "lossterm", "--headless", "--no-store", "--no-progress",
           "--problem", "circles", "--tune"] + [a for x in CIRCLES for a in ("--loss", x)]
    seconds: dict[str, list[float]] = {"shared": [], "replicate": [], "cli": []}
    for _ in range(repeat):
        for sel in ("shared", "replicate"):
            seconds[sel].append(_timed([sys.executable, "-c",
                                        code.format(losses=list(CIRCLES), sel=sel)]))
        seconds["cli"].append(_timed(cli))
    med = {k: statistics.median(v) for k, v in seconds.items()}
    print(f"time circles 4-loss study, fresh process, import included (median of {repeat}): "
          f"shared {med['shared']:.1f} s, replicate {med['replicate']:.1f} s "
          f"(ratio {med['replicate'] / med['shared']:.2f}); "
          f"`lossterm --headless ... --tune` {med['cli']:.1f} s", flush=True)
    return {"seconds": seconds, "median": med, "ratio": med["replicate"] / med["shared"]}


def _timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"bench_calibration: {' '.join(argv[-6:])} failed: {done.stderr[-300:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--studies", type=int, default=100)
    parser.add_argument("--shared", type=int, default=40)
    parser.add_argument("--power", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--power-selection", default="replicate",
                        help="the power part's protocol: replicate (default) or shared (with "
                             "--power-tune-seeds 3: the earlier protocol)")
    parser.add_argument("--power-tune-seeds", type=int, default=1,
                        help="seeds per rate inside each replicate in the power part (an "
                             "alternative protocol: the replicate's figure is their mean)")
    parser.add_argument("--parts", default="aa,power,time")
    parser.add_argument("--problems", default="regression,circles,digits",
                        help="restrict the aa and power parts to these problems")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    keep = set(args.problems.split(","))
    parts = set(args.parts.split(","))
    out: dict = {}
    if "time" in parts:
        out["time"] = time_part(args.repeat)
    if "aa" in parts:
        out["aa"] = aa_part(args.studies, args.shared, [x for x in AA if x[0] in keep])
    if "power" in parts:
        out["power"] = power_part(args.power, args.power_selection, args.power_tune_seeds,
                                  [x for x in POWER if x[0] in keep])
    print("\nsummary")
    _print_aa(out.get("aa", []))
    _print_power(out.get("power", []))
    if "time" in out:
        m = out["time"]["median"]
        print(f"time: shared {m['shared']:.1f} s, replicate {m['replicate']:.1f} s, ratio "
              f"{out['time']['ratio']:.2f}; CLI {m['cli']:.1f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
