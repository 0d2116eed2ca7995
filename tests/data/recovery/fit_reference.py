"""Fit the recovery data sets with one reference tool (argv[1]: mirt or girth); write its estimates."""
import json, time, datetime, sys
import numpy as np
from importlib.metadata import version

TOOL = sys.argv[1]
if TOOL == "mirt":
    import mirt
else:
    import girth

out = {"generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
       "versions": {TOOL: version(TOOL), "numpy": np.__version__, "scipy": version("scipy"),
                    "python": sys.version.split()[0]}}
for name in ["twopl", "threepl"]:
    x = np.loadtxt(f"{name}_responses.csv", delimiter=",", skiprows=1, dtype=int)
    truth = np.loadtxt(f"{name}_truth.csv", delimiter=",", skiprows=1, usecols=(1, 2, 3))
    entry = {"n_persons": int(x.shape[0]), "n_items": int(x.shape[1]),
             "item_correct_counts": [int(v) for v in x.sum(axis=0)]}
    t0 = time.process_time()
    if TOOL == "mirt":
        if name == "twopl":
            call = "mirt.fit_mirt(x, model='2PL', n_quadpts=61, compute_standard_errors=False)"
            r = mirt.fit_mirt(x, model="2PL", n_quadpts=61, compute_standard_errors=False)
        else:
            call = "mirt.fit_mirt(x, model='3PL', compute_standard_errors=False)"
            r = mirt.fit_mirt(x, model="3PL", compute_standard_errors=False)
        c = r.coef()
        est = {"call": call + "; r.coef()[['discrimination', 'difficulty', 'guessing']]",
               "converged": bool(r.converged), "iterations": int(r.n_iterations),
               "a": c["discrimination"].tolist(), "b": c["difficulty"].tolist()}
        if name == "threepl":
            est["c"] = c["guessing"].tolist()
    else:
        call = "girth.twopl_mml(x.T)" if name == "twopl" else "girth.threepl_mml(x.T)"
        g = girth.twopl_mml(x.T) if name == "twopl" else girth.threepl_mml(x.T)
        est = {"call": call + " with girth.default_options()",
               "a": np.asarray(g["Discrimination"], dtype=float).tolist(),
               "b": np.asarray(g["Difficulty"], dtype=float).tolist()}
        if name == "threepl":
            est["c"] = np.asarray(g["Guessing"], dtype=float).tolist()
    est["cpu_seconds"] = round(time.process_time() - t0, 2)
    for k, col in [("a", 0), ("b", 1), ("c", 2)]:
        if k in est:
            e = np.array(est[k]) - truth[:, col]
            print(f"{name} {TOOL} {k}: RMSE {np.sqrt(np.mean(e**2)):.4f} bias {e.mean():+.4f}")
    print(name, TOOL, est.get("converged"), est.get("iterations"), est["cpu_seconds"], "s")
    entry[TOOL] = est
    out[name] = entry
json.dump(out, open(f"{TOOL}_estimates.json", "w"), indent=1)
