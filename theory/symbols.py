"""The symbols every derivation shares, so results combine across modules."""

from __future__ import annotations

import sympy as sp

__all__ = ["L", "beta", "eta", "grad", "kappa", "lam", "mu", "nu", "t", "tau", "z"]

#: learning rate (step size); positive
eta = sp.Symbol("eta", positive=True)
#: momentum coefficient; the theory holds for beta in (-1, 1)
beta = sp.Symbol("beta", real=True)
#: a curvature (an eigenvalue of the Hessian); positive
lam = sp.Symbol("lambda", positive=True)
#: the ends of a spectrum [mu, L] and its condition number
mu = sp.Symbol("mu", positive=True)
L = sp.Symbol("L", positive=True)
kappa = sp.Symbol("kappa", positive=True)
#: the variable of characteristic polynomials
z = sp.Symbol("z")
#: quasi-hyperbolic momentum's mixing weight
nu = sp.Symbol("nu", real=True)
#: step counters
t = sp.Symbol("t", integer=True, nonnegative=True)
tau = sp.Symbol("tau", integer=True, nonnegative=True)
#: the gradient as an undefined function: ``grad(x)`` is the gradient at x
grad = sp.Function("g")
