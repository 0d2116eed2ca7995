# Run from the repository root with Python 3.11, numpy and scipy 1.17:
#   python3 crates/stats/tests/scripts/beta_binomial_reference.py
# It prints the expected values of crates/stats/tests/decision.rs.
# Independent Livingston-Lewis / Hanson-Brennan with a four-parameter beta (Lord 1965; Hanson 1991).
import numpy as np
from scipy import stats, integrate
def load(name):
    return np.loadtxt(f"tests/data/reference/{name}.csv", delimiter=",", skiprows=1)
def kr20(x):
    k = x.shape[1]; return k/(k-1)*(1 - x.var(axis=0, ddof=1).sum()/x.sum(axis=1).var(ddof=1))
def true_moments(scores, n):
    # E[tau^r] = E[X(X-1)..(X-r+1)] / (n(n-1)..(n-r+1))
    return [np.mean(np.prod([scores - i for i in range(r)], axis=0)) / np.prod([n - i for i in range(r)]) for r in range(1, 5)]
def fit4(m):
    mu = m[0]; var = m[1]-mu**2
    c3 = m[2]-3*mu*m[1]+2*mu**3; c4 = m[3]-4*mu*m[2]+6*mu**2*m[1]-3*mu**4
    b1 = c3**2/var**3; b2 = c4/var**2
    nu = 6*(b2-b1-1)/(6+3*b1-2*b2)
    if nu > 0:
        d = 1/np.sqrt(1+16*(nu+1)/((nu+2)**2*b1))
        a, b = (nu/2*(1-d), nu/2*(1+d)) if c3 > 0 else (nu/2*(1+d), nu/2*(1-d))
        rng = np.sqrt(var)*nu*np.sqrt((nu+1)/(a*b)); lo = mu - rng*a/nu
        if lo >= 0 and lo+rng <= 1: return a, b, lo, lo+rng, "four_parameter"
    def zl(m1, m2, m3):
        # beta on [0,u]: E[t^(r+1)]/E[t^r] = u(a+r)/(S+r)
        r2, r3 = m2/m1, m3/m2
        S = 2*(r2-r3)/(r3-2*r2+m1); u = r2*(S+1)-m1*S; a = m1*S/u
        return a, S-a, u
    a, b, u = zl(m[0], m[1], m[2])
    if a > 0 and b > 0 and 0 < u <= 1: return a, b, 0.0, u, "lower_at_zero"
    a, b, u = zl(1-m[0], 1-2*m[0]+m[1], 1-3*m[0]+3*m[1]-m[2])
    if a > 0 and b > 0 and 0 < u <= 1: return b, a, 1-u, 1.0, "upper_at_one"
    c = mu*(1-mu)/var-1
    return mu*c, (1-mu)*c, 0.0, 1.0, "two_parameter"
def classify(a, b, lo, hi, n, needed, c):
    dist = stats.beta(a, b, loc=lo, scale=hi-lo)
    P = lambda t: stats.binom.sf(needed-1, n, t)
    c = min(max(c, lo), hi)
    q = lambda f, x0, x1: integrate.quad(lambda t: f(t)*dist.pdf(t), x0, x1, epsabs=1e-13, epsrel=1e-12, limit=500)[0]
    fp = q(P, lo, c); fn = q(lambda t: 1-P(t), c, hi)
    same = q(lambda t: P(t)**2+(1-P(t))**2, lo, hi); pp = q(P, lo, hi)
    pc = pp**2+(1-pp)**2
    return dict(accuracy=1-fp-fn, false_positive=fp, false_negative=fn, consistency=same, kappa=(same-pc)/(1-pc))
for name, cut in [("sat12", 20), ("lsat6", 4), ("raschdat1", 15)]:
    x = load(name); k = x.shape[1]; X = x.sum(axis=1); r = kr20(x)
    M, s2 = X.mean(), X.var(ddof=1)
    n = round((M*(k-M) - r*s2)/(s2*(1-r)))
    a, b, lo, hi, how = fit4(true_moments(n*X/k, n))
    print(name, "LL n", n, how, repr((a, b, lo, hi)), classify(a, b, lo, hi, n, int(np.ceil(cut/k*n-1e-9)), cut/k))
    a, b, lo, hi, how = fit4(true_moments(X, k))
    print(name, "HB", how, repr((a, b, lo, hi)), classify(a, b, lo, hi, k, cut, cut/k))
