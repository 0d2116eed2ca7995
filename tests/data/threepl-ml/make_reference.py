"""Plain-ML 3PL reference for exam-stats: a seeded simulated data set fitted by Python mirt
(61 Gauss-Hermite points, no priors, tight tolerance), and LSAT6 fitted the same way.

Run from this folder with Python mirt 1.2.0 installed: python make_reference.py
Writes simulated_3pl.csv, simulated_3pl_truth.csv and mirt_3pl.json.
"""
import datetime
import json
import sys
from importlib.metadata import version

import mirt
import numpy as np

SEED = 20261202
N_PERSONS, N_ITEMS = 10000, 15
# mirt's own box for the 3PL (the fit must end inside it to be an unconstrained optimum).
A_MAX, C_MIN, C_MAX = 5.0, 0.0, 0.5


def simulate():
    rng = np.random.default_rng(SEED)
    a = rng.uniform(1.0, 2.0, N_ITEMS)
    b = rng.uniform(0.0, 2.0, N_ITEMS)
    c = rng.uniform(0.15, 0.25, N_ITEMS)
    theta = rng.standard_normal(N_PERSONS)
    p = c + (1 - c) / (1 + np.exp(-a * (theta[:, None] - b)))
    x = (rng.uniform(size=p.shape) < p).astype(int)
    return x, a, b, c


def fit(x, rust):
    r = mirt.fit_mirt(x, model="3PL", n_quadpts=61, tol=1e-8, max_iter=20000,
                      use_rust=rust, compute_standard_errors=False)
    coef = r.coef()
    a = coef["discrimination"].to_numpy()
    b = coef["difficulty"].to_numpy()
    c = coef["guessing"].to_numpy()
    return {
        "call": f"mirt.fit_mirt(x, model='3PL', n_quadpts=61, tol=1e-8, max_iter=20000, "
                f"use_rust={rust}, compute_standard_errors=False)",
        "converged": bool(r.converged), "iterations": int(r.n_iterations),
        "loglik": float(r.log_likelihood),
        "a": a.tolist(), "b": b.tolist(), "c": c.tolist(), "d": (-a * b).tolist(),
        "inside_box": bool(np.all(a < A_MAX - 1e-3) and np.all(c > C_MIN + 1e-4)
                           and np.all(c < C_MAX - 1e-4)),
    }


def main():
    x, a, b, c = simulate()
    header = ",".join(f"item{j + 1:02d}" for j in range(N_ITEMS))
    np.savetxt("simulated_3pl.csv", x, fmt="%d", delimiter=",", header=header, comments="")
    truth = np.column_stack([a, b, c])
    with open("simulated_3pl_truth.csv", "w") as f:
        f.write("item,a,b,c\n")
        for j, (aj, bj, cj) in enumerate(truth):
            f.write(f"item{j + 1:02d},{float(aj)!r},{float(bj)!r},{float(cj)!r}\n")
    lsat6 = np.loadtxt("../reference/lsat6.csv", delimiter=",", skiprows=1, dtype=int)
    out = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": {"mirt": version("mirt"), "numpy": np.__version__, "scipy": version("scipy"),
                     "python": sys.version.split()[0]},
        "box": {"a_max": A_MAX, "c_min": C_MIN, "c_max": C_MAX},
        "simulated_3pl": {"seed": SEED, "n_persons": N_PERSONS, "n_items": N_ITEMS,
                          "item_correct_counts": [int(v) for v in x.sum(axis=0)],
                          "python_em": fit(x, False), "rust_em": fit(x, True)},
        "lsat6": {"python_em": fit(lsat6, False), "rust_em": fit(lsat6, True)},
    }
    for name in ["simulated_3pl", "lsat6"]:
        for how in ["python_em", "rust_em"]:
            e = out[name][how]
            print(name, how, e["converged"], e["iterations"], e["loglik"], "inside box:", e["inside_box"])
    with open("mirt_3pl.json", "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
