"""Confirmatory factor analysis by maximum likelihood, with every solution checked before use.

Model (simple structure, each item on one factor): Sigma = Lambda Phi Lambda' + Theta, Theta
diagonal. Identification by marker variables (the first item of each factor has loading 1), as
semopy and lavaan do by default; factor variances and residual variances are bounded below by 0
(semopy's bounds), factor covariances are free. The estimates minimise the ML discrepancy

    F = log|Sigma| + tr(S Sigma^-1) - log|S| - p,   S the covariance matrix with divisor N,

(Joreskog 1969, Psychometrika 34, 183-202; Bollen 1989, Structural Equations with Latent
Variables, ch. 7), by L-BFGS-B with the analytic gradient dF/dSigma = Sigma^-1 (Sigma - S)
Sigma^-1. chi2 = N F_min on p(p + 1)/2 - q degrees of freedom (q free parameters). Standardised
loadings are lambda_ij sqrt(phi_jj) / sqrt(sigma_ii); factor correlations
phi_ab / sqrt(phi_aa phi_bb).

`check_solution` says whether a solution may be interpreted (Kolenikov & Bollen 2012,
Sociological Methods & Research 41, 124-167, on improper solutions):
- not converged: the optimiser stopped without meeting its criteria, or the projected gradient
  is not ~0;
- not identified: a factor with one item, one factor with fewer than three items, negative df,
  or an information matrix (the Hessian of F) that is singular at the solution;
- improper (a Heywood case): a residual or factor variance at its bound 0 (it would be negative
  without the bound; a standardised loading of 1), a factor correlation with |r| > 1, or a
  factor covariance matrix that is not positive definite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize
from threadpoolctl import threadpool_limits

#: kinds of issue that make a solution improper, or not identified
IMPROPER = ("heywood", "factor_variance_zero", "correlation_above_1", "factor_cov_not_pd")
NOT_IDENTIFIED = ("too_few_items", "single_item_factor", "negative_df", "singular_data",
                  "singular_information")
BOUND_TOL = 1e-6  # a variance this close to its bound 0 is on the boundary (relative to var(x))
R_TOL = 1e-3  # |r| above 1 + R_TOL is a correlation above 1
GRAD_TOL = 1e-4  # largest projected gradient component of a converged solution
RESTARTS = 4  # L-BFGS-B runs at most, each from where the last stopped
HESS_TOL = 1e-8  # smallest eigenvalue / largest of the information matrix of an identified one


@dataclass(frozen=True)
class CFAFit:
    """One fitted model: estimates, fit function, and what `check_solution` found."""

    items: list[str]
    factors: dict[str, list[str]]
    n: int
    chi2: float
    dof: int
    sample_cov: np.ndarray
    implied_cov: np.ndarray
    loadings: pd.DataFrame  # item, factor, loading (unstandardised), std
    factor_cov: pd.DataFrame  # factor_a, factor_b, cov, r  (a <= b)
    residual_var: pd.Series  # by item
    converged: bool
    iterations: int
    issues: list[tuple[str, str, float]] = field(default_factory=list)  # (kind, subject, value)

    @property
    def proper(self) -> bool:
        return not any(kind in IMPROPER for kind, _, _ in self.issues)

    @property
    def identified(self) -> bool:
        return not any(kind in NOT_IDENTIFIED for kind, _, _ in self.issues)

    @property
    def usable(self) -> bool:
        """Converged, identified and proper: the only solutions whose numbers are interpreted."""
        return self.converged and not self.issues


def identification_issues(factors: Mapping[str, Sequence[str]], p: int,
                          q: int) -> list[tuple[str, str]]:
    """Structural reasons a model is not identified (before any fit): (kind, subject).

    >>> identification_issues({"a": ["x1", "x2"]}, 2, 4)
    [('too_few_items', 'a'), ('negative_df', '-1')]
    """
    out = []
    if len(factors) == 1 and len(next(iter(factors.values()))) < 3:
        out.append(("too_few_items", next(iter(factors))))
    out += [("single_item_factor", f) for f, its in factors.items() if len(its) < 2
            and len(factors) > 1]
    if p * (p + 1) // 2 - q < 0:
        out.append(("negative_df", str(p * (p + 1) // 2 - q)))
    return out


class _Model:
    """Parameter layout: marker-variable loadings, Phi (lower triangle), Theta (diagonal)."""

    def __init__(self, items: list[str], factors: Mapping[str, Sequence[str]]):
        self.items, self.names = items, list(factors)
        p, m = len(items), len(factors)
        self.p, self.m = p, m
        self.load_idx = [(items.index(it), j) for j, f in enumerate(self.names)
                         for it in list(factors[f])[1:]]
        self.marker = [(items.index(factors[f][0]), j) for j, f in enumerate(self.names)]
        self.phi_idx = [(a, b) for a in range(m) for b in range(a + 1)]
        self.q = len(self.load_idx) + len(self.phi_idx) + p

    def unpack(self, x: np.ndarray):
        lam = np.zeros((self.p, self.m))
        for i, j in self.marker:
            lam[i, j] = 1.0
        k = len(self.load_idx)
        for (i, j), v in zip(self.load_idx, x[:k], strict=True):
            lam[i, j] = v
        phi = np.zeros((self.m, self.m))
        for (a, b), v in zip(self.phi_idx, x[k:k + len(self.phi_idx)], strict=True):
            phi[a, b] = phi[b, a] = v
        theta = x[k + len(self.phi_idx):]
        return lam, phi, theta

    def sigma(self, x: np.ndarray) -> np.ndarray:
        lam, phi, theta = self.unpack(x)
        return lam @ phi @ lam.T + np.diag(theta)

    def bounds(self) -> list[tuple[float | None, float | None]]:
        phi = [(0.0, None) if a == b else (None, None) for a, b in self.phi_idx]
        return [(None, None)] * len(self.load_idx) + phi + [(0.0, None)] * self.p

    def start(self, s: np.ndarray) -> np.ndarray:
        """Loadings 1, factor variance the mean covariance of its items (or half the marker's
        variance), covariances 0, residual variances half the item variances."""
        lam0, phi0 = [1.0] * len(self.load_idx), []
        for a, b in self.phi_idx:
            if a != b:
                phi0.append(0.0)
                continue
            rows = [i for i, j in self.marker if j == a] + [i for i, j in self.load_idx if j == a]
            sub = s[np.ix_(rows, rows)][np.triu_indices(len(rows), 1)]
            phi0.append(float(sub.mean()) if len(sub) and sub.mean() > 0 else 0.5 * s[rows[0], rows[0]])
        return np.array(lam0 + phi0 + list(0.5 * np.diag(s)))

    def starts(self, s: np.ndarray, n_random: int = 3) -> list[np.ndarray]:
        """`start`, one with factor variances half the markers' variances, and `n_random`
        seeded perturbations of it (ML surfaces of weak or improper models have several
        stationary points; the lowest F found is kept)."""
        first = self.start(s)
        half = first.copy()
        k = len(self.load_idx)
        for n, (a, b) in enumerate(self.phi_idx):
            if a == b:
                marker = next(i for i, j in self.marker if j == a)
                half[k + n] = 0.5 * s[marker, marker]
        rng = np.random.default_rng(0)
        lows = np.array([lo if lo is not None else -np.inf for lo, _ in self.bounds()])
        spread = np.r_[rng.uniform(-1.5, 1.5, (n_random, k)).T, rng.uniform(
            0.5, 1.5, (n_random, len(half) - k)).T].T  # loadings may change sign
        jitter = [np.maximum(half * row, lows) for row in spread]
        return [first, half, *jitter]

    def objective(self, x: np.ndarray, s: np.ndarray, logdet_s: float):
        lam, phi, theta = self.unpack(x)
        sigma = lam @ phi @ lam.T + np.diag(theta)
        try:  # Sigma must be positive definite (semopy: Cholesky, else infinite)
            chol = np.linalg.cholesky(sigma)
            inv = np.linalg.inv(sigma)
        except np.linalg.LinAlgError:
            return 1e10, np.zeros_like(x)  # finite, so the line search steps back
        logdet = 2 * float(np.sum(np.log(np.diag(chol))))
        f = logdet + np.trace(s @ inv) - logdet_s - self.p
        g_sigma = inv @ (sigma - s) @ inv
        d_lam = 2 * g_sigma @ lam @ phi
        d_phi = lam.T @ g_sigma @ lam
        grad = [d_lam[i, j] for i, j in self.load_idx]
        grad += [d_phi[a, b] * (1 if a == b else 2) for a, b in self.phi_idx]
        grad += list(np.diag(g_sigma))
        return float(f), np.array(grad)


def _hessian(model: _Model, x: np.ndarray, s: np.ndarray, logdet_s: float) -> np.ndarray:
    """Numerical Hessian of F (central differences of the analytic gradient)."""
    h = 1e-5 * np.maximum(1.0, np.abs(x))
    cols = []
    for k in range(len(x)):
        up, down = x.copy(), x.copy()
        up[k] += h[k]
        down[k] -= h[k]
        cols.append((model.objective(up, s, logdet_s)[1] - model.objective(down, s, logdet_s)[1])
                    / (2 * h[k]))
    hess = np.array(cols)
    return (hess + hess.T) / 2


def _minimise(model: _Model, est: np.ndarray, s: np.ndarray, logdet_s: float, bounds: list):
    """(estimates, F, converged, iterations) of L-BFGS-B from `est`, restarted from where it
    stopped (fresh curvature) until the projected gradient is ~0 or `RESTARTS` runs."""
    f_min, converged, iterations = np.inf, False, 0
    for _ in range(RESTARTS):
        res = optimize.minimize(model.objective, est, args=(s, logdet_s), jac=True,
                                method="L-BFGS-B", bounds=bounds,
                                options={"maxiter": 2500, "maxfun": 5000, "ftol": 1e-15,
                                         "gtol": 1e-10, "maxcor": 30})
        est, iterations = res.x, iterations + int(res.nit)
        f_min, grad = model.objective(est, s, logdet_s)
        at_low = np.array([lo is not None and v <= lo + BOUND_TOL * float(np.max(np.diag(s)))
                           for v, (lo, _) in zip(est, bounds, strict=True)])
        projected = np.where(at_low & (grad > 0), 0.0, grad)
        converged = bool(f_min < 1e9 and np.max(np.abs(projected), initial=0.0) < GRAD_TOL)
        if converged:
            break
    return est, f_min, converged, iterations


def fit_cfa(data: pd.DataFrame, factors: Mapping[str, Sequence[str]]) -> CFAFit:
    """Fit the model to `data` (one column per item, complete rows) and check the solution."""
    factors = {f: list(its) for f, its in factors.items()}
    items = list(dict.fromkeys(i for its in factors.values() for i in its))
    x = data[items].to_numpy(float)
    n, p = x.shape
    s = np.cov(x, rowvar=False, ddof=0).reshape(p, p)
    model = _Model(items, factors)
    issues = [(kind, subject, np.nan) for kind, subject in identification_issues(factors, p, model.q)]
    sign, logdet_s = np.linalg.slogdet(s)
    if sign <= 0:
        issues.append(("singular_data", "", np.nan))
        logdet_s = 0.0
    bounds = model.bounds()
    with threadpool_limits(1, user_api="blas"):  # 9 x 9 matrices: BLAS threads only wait
        runs = [_minimise(model, start, s, logdet_s, bounds) for start in model.starts(s)]
    est, f_min, converged, iterations = min(runs, key=lambda r: (not r[2], r[1]))
    lam, phi, theta = model.unpack(est)
    sigma = lam @ phi @ lam.T + np.diag(theta)
    scale = np.max(np.diag(s))
    at_low = np.array([lo is not None and v <= lo + BOUND_TOL * scale
                       for v, (lo, _) in zip(est, bounds, strict=True)])
    if not issues and converged:
        free = ~at_low
        hess = _hessian(model, est, s, logdet_s)[np.ix_(free, free)]
        eig = np.linalg.eigvalsh(hess) if free.any() else np.array([1.0])
        if eig.min() <= HESS_TOL * max(eig.max(), 1e-300):
            issues.append(("singular_information", "", float(eig.min())))
    scale = np.max(np.diag(s))
    for i, item in enumerate(items):
        if theta[i] <= BOUND_TOL * scale:
            issues.append(("heywood", item, float(theta[i])))
    for j, f in enumerate(model.names):
        if phi[j, j] <= BOUND_TOL * scale:
            issues.append(("factor_variance_zero", f, float(phi[j, j])))
    sd_f = np.sqrt(np.clip(np.diag(phi), 0, None))
    pairs = []
    for a in range(model.m):
        for b in range(a + 1, model.m):
            r = phi[a, b] / (sd_f[a] * sd_f[b]) if sd_f[a] > 0 and sd_f[b] > 0 else np.nan
            pairs.append([model.names[a], model.names[b], phi[a, b], r])
            if np.isfinite(r) and abs(r) > 1 + R_TOL:
                issues.append(("correlation_above_1", f"{model.names[a]}|{model.names[b]}", float(r)))
    if model.m > 1 and np.linalg.eigvalsh(phi).min() < -BOUND_TOL * scale:
        issues.append(("factor_cov_not_pd", "", float(np.linalg.eigvalsh(phi).min())))
    sd_x = np.sqrt(np.diag(sigma))
    rows = [[item, f, lam[i, j], lam[i, j] * sd_f[j] / sd_x[i]]
            for j, f in enumerate(model.names) for item in factors[f]
            for i in [items.index(item)]]
    return CFAFit(
        items=items, factors=factors, n=n, chi2=float(n * f_min), dof=p * (p + 1) // 2 - model.q,
        sample_cov=s, implied_cov=sigma,
        loadings=pd.DataFrame(rows, columns=["item", "factor", "loading", "std"]),
        factor_cov=pd.DataFrame(pairs, columns=["factor_a", "factor_b", "cov", "r"]),
        residual_var=pd.Series(theta, index=items), converged=converged,
        iterations=iterations, issues=issues)
