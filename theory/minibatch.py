r"""Minibatch SGD on one curvature: the mean-square edge of gd and heavy ball.

Least squares in one dimension with per-example curvatures ``h_i`` (``a_i^2``):
a batch of ``B`` of the ``n`` examples, drawn afresh at every step, has the mean
curvature ``h_B`` with ``E[h_B] = m`` and ``Var h_B = f_B v`` (``m`` and ``v``
the mean and population variance of the ``h_i``; the finite-population factor
``f_B = (n - B)/(B (n - 1))`` without replacement, ``1/B`` with). The error of
gradient descent moves as ``e_{t+1} = (1 - eta h_t) e_t``, so

.. math:: \mathbb{E}[e_{t+1}^2] = \mathbb{E}[(1 - \eta h_B)^2]\,\mathbb{E}[e_t^2],
          \qquad \mathbb{E}[(1 - \eta h_B)^2] = (1 - \eta m)^2 + \eta^2 f_B v,

and the second moment shrinks iff ``eta < 2 m / (m^2 + f_B v)`` (batch 1:
``2 E[h] / E[h^2]``). Heavy ball, ``e_{t+1} = (1 + beta - eta h_t) e_t - beta
e_{t-1}``: the moments ``(E e_t^2, E e_t e_{t-1}, E e_{t-1}^2)`` follow an exact
3 x 3 linear recursion, stable (Jury's conditions, for ``|beta| < 1``) iff

.. math:: \eta < \frac{2 (1 - \beta^2) m}{(1 - \beta) m^2 + (1 + \beta) f_B v},

heavy ball's ``2 (1 + beta) / m`` when ``f_B v = 0`` and never above it.

Examples
--------
>>> d = derive_minibatch()
>>> d.results["gd_edge"]
2*m/(f_B*v + m**2)
>>> d.results["heavy_ball_edge"].subs({m: 3, v: 5, f_B: sp.Rational(2, 7), beta: sp.Rational(3, 5)})
336/515
"""

from __future__ import annotations

import sympy as sp

from theory.engine.claims import equivalent_by_factor, holds_for_all, solves
from theory.engine.derivation import Derivation, ge, gt, identity, lt
from theory.engine.named import Named, NamedMatrix, defined, expand_names
from theory.engine.printing import Written
from theory.methods import GRADIENT_DESCENT, HEAVY_BALL, Method, step_map
from theory.stability import schur_cohn_conditions
from theory.symbols import beta, eta, t, z

__all__ = ["derive_minibatch", "minibatch_moment_matrix"]

#: the mean and the population variance of the per-example curvatures h_i
m = sp.Symbol("m", positive=True)
v = sp.Symbol("v", nonnegative=True)
#: the finite-population factor: Var h_B = f_B v
f_B = sp.Symbol("f_B", nonnegative=True)
#: examples and batch size
n = sp.Symbol("n", integer=True, positive=True)
B = sp.Symbol("B", integer=True, positive=True)
#: the mean curvature of the batch drawn at step t, and of a batch (the same law)
h_t = sp.Symbol("h_t", nonnegative=True)
h_B = sp.Symbol("h_B", nonnegative=True)
#: heavy ball's moments in short: s = E[a_t] = 1 + beta - eta m, delta = Var a_t = eta^2 f_B v
s = sp.Symbol("s", real=True)
delta = sp.Symbol("delta", nonnegative=True)
_s_value = 1 + beta - eta * m
_delta_value = eta**2 * f_B * v
#: |beta| < 1 made visible to SymPy's assumptions: beta = (1 - r)/(1 + r), r > 0
_r = sp.Symbol("r", positive=True)
_INSIDE = {beta: (1 - _r) / (1 + _r)}
_INSIDE_TEXT = r"(checked with $\beta = (1 - r)/(1 + r)$, $r > 0$, which is $|\beta| < 1$)"

#: the error at step k (an unknown: its moments are what the recursion relates)
e = sp.IndexedBase("e", real=True)
#: the finite-population factor as a function of the batch size
_f = defined("f", B, (n - B) / (B * (n - 1)), subscript=True)
#: E[h_B^k] (derived in the first steps below): what the expectation over a batch needs
_CURVATURE_MOMENTS = {0: sp.Integer(1), 1: m, 2: m**2 + f_B * v}


def _next_error(method: Method, /) -> sp.Expr:
    """e_{t+1} in terms of e_t (and e_{t-1}) and the batch curvature h_t, from the update equations.

    The gradient of the batch loss at the error e is ``h_t e``; heavy ball's
    velocity is the last step over eta, ``eta v_t = e_{t-1} - e_t``.

    >>> _next_error(HEAVY_BALL)
    -beta*e[t - 1] + beta*e[t] - eta*h_t*e[t] + e[t]
    """
    new = step_map(method, gradient=lambda y: h_t * y)
    now = {method.position: e[t]}
    for other in method.state:
        if other != method.position:
            now[other] = (e[t - 1] - e[t]) / eta
    return sp.expand(new[method.position].xreplace(now))


def _expectation(following: sp.Expr) -> type:
    """E over the batch drawn at step t, for a method whose e_{t+1} is ``following``.

    The batch h_t is independent of the errors so far (they depend only on the
    batches before t), so ``E[h_t^k X] = E[h_B^k] E[X]`` for X made of e_t and
    e_{t-1}: each monomial's expectation splits. A moment of the errors alone
    stays as it is (the unknowns the recursion relates).
    """
    state = (e[t], e[t - 1])

    def value(X):
        X = expand_names(sp.sympify(X)).doit().xreplace({h_B: h_t, e[t + 1]: following})
        poly = sp.Poly(sp.expand(X), h_t, *state)
        terms = poly.terms()
        if len(terms) == 1 and terms[0][0][0] == 0 and terms[0][1] == 1 and X.has(*state):
            return None  # E[e_t^2], E[e_t e_{t-1}], ...: an unknown
        total = sp.Integer(0)
        for (k, *powers), coeff in terms:
            errors = sp.Mul(*(x**p for x, p in zip(state, powers, strict=True)))
            total += coeff * _CURVATURE_MOMENTS[k] * (expectation(errors) if errors != 1 else 1)
        return total

    class expectation(defined("E", sp.Dummy("X"), value)):  # noqa: N801 (a SymPy function)
        def _latex(self, printer) -> str:
            return rf"\mathbb{{E}}[{printer._print(self.args[0])}]"

        def _sympystr(self, printer) -> str:
            return f"E[{printer._print(self.args[0])}]"

    return expectation


def minibatch_moment_matrix() -> sp.Matrix:
    r"""Heavy ball's second-moment matrix on one curvature with minibatch noise.

    ``(E e_{t+1}^2, E e_{t+1} e_t, E e_t^2) = M (E e_t^2, E e_t e_{t-1}, E e_{t-1}^2)``
    exactly, for ``e_{t+1} = a_t e_t - beta e_{t-1}``, ``a_t = 1 + beta - eta h_t`` and
    the batch curvature ``h_t`` drawn afresh each step (checked in :func:`derive_minibatch`):

    .. math:: M = \begin{pmatrix} \mathbb{E}[a_t^2] & -2\beta\,\mathbb{E}[a_t] & \beta^2 \\
              \mathbb{E}[a_t] & -\beta & 0 \\ 1 & 0 & 0 \end{pmatrix},
              \quad \mathbb{E}[a_t] = 1 + \beta - \eta m,
              \quad \mathbb{E}[a_t^2] = \mathbb{E}[a_t]^2 + \eta^2 f_B v,

    in SymPy's symbols ``eta``, ``beta`` (:mod:`theory.symbols`) and this module's
    ``m``, ``v`` and ``f_B``.

    Examples
    --------
    >>> M = minibatch_moment_matrix().subs({eta: sp.Rational(1, 5), beta: sp.Rational(1, 2),
    ...                                     m: 3, v: 2, f_B: sp.Rational(1, 3)})
    >>> M.row(0)
    Matrix([[251/300, -9/10, 1/4]])
    """
    a = _s_value  # E[a_t]
    return sp.Matrix(
        [[a**2 + _delta_value, -2 * beta * a, beta**2], [a, -beta, 0], [1, 0, 0]]
    ).applyfunc(sp.expand)


def _plain_matrix() -> sp.Matrix:
    """The moment matrix in s = E[a_t] and delta = Var a_t (E[a_t^2] = s^2 + delta)."""
    return sp.Matrix([[s**2 + delta, -2 * beta * s, beta**2], [s, -beta, 0], [1, 0, 0]])


def _w(*terms) -> Written:
    """A sum printed in the order given."""
    return Written(sp.Add(*terms, evaluate=False))


def _mul(*factors) -> sp.Expr:
    return sp.Mul(*factors, evaluate=False)


def _batch_steps() -> list:
    """E[h_B] = m and E[h_B^2] = m^2 + f_B v, from the inclusion probabilities of a batch."""
    counted_one = Named("p_1", sp.binomial(n - 1, B - 1) / sp.binomial(n, B), latex="p_1")
    counted_two = Named("p_2", sp.binomial(n - 2, B - 2) / sp.binomial(n, B), latex="p_2")
    # from here on each probability stands for what its step proved (no binomials to simplify)
    one = Named("p_1", B / n, latex="p_1")
    two = Named("p_2", B * (B - 1) / (n * (n - 1)), latex="p_2")
    sum_h = Named("Σ_i h_i", n * m, latex=r"\sum_i h_i")
    sum_h2 = Named("Σ_i h_i²", n * (m**2 + v), latex=r"\sum_i h_i^2")
    pairs = Named("Σ_(i≠j) h_i h_j", (n * m) ** 2 - n * (m**2 + v), latex=r"\sum_{i \ne j} h_i h_j")
    square = Named("E[h²]", m**2 + v, latex=r"\mathbb{E}[h^2]")
    second = _w(m**2, _mul(f_B, v))
    return [
        identity(
            r"The batch $S$ is $B$ of the $n$ examples drawn uniformly without replacement, "
            r"afresh at every step: of the $\binom{n}{B}$ equally likely batches "
            r"$\binom{n-1}{B-1}$ hold a given example $i$: its probability $p_1 = P(i \in S)$ is",
            counted_one,
            B / n,
        ),
        identity(
            r"and $\binom{n-2}{B-2}$ a given pair $i \ne j$: $p_2 = P(i, j \in S)$ is",
            counted_two,
            _mul(B, _w(B, -1), sp.Pow(n, -1), sp.Pow(_w(n, -1), -1)),
        ),
        identity(
            r"So the batch's mean curvature $h_B = \frac{1}{B}\sum_{i \in S} h_i$ has the mean "
            r"$\mathbb{E}[h_B]$ (with $\sum_i h_i = nm$, $m$ the mean curvature)",
            _mul(sp.Pow(B, -1), one, sum_h),
            m,
        ),
        identity(
            r"and, squaring the sum, the second moment $\mathbb{E}[h_B^2]$ (with "
            r"$\sum_i h_i^2 = n(m^2 + v)$, $v$ the population variance, and "
            r"$\sum_{i \ne j} h_i h_j = n^2 m^2 - n(m^2 + v)$), where "
            r"$f_B = \frac{n - B}{B(n - 1)}$ is the finite-population factor:",
            _mul(sp.Pow(B, -2), _w(_mul(one, sum_h2), _mul(two, pairs))),
            second,
            where={f_B: _f(B).value_at()},
            result="batch_second_moment",
        ),
        identity(
            r"Drawn with replacement the $B$ draws are independent, and the same holds with "
            r"$f_B = 1/B$:",
            _mul(sp.Pow(B, -2), _w(_mul(B, square), _mul(B, _w(B, -1), m**2))),
            second,
            where={f_B: 1 / B},
        ),
        identity(
            r"One example a step is the same with or without replacement,", _f(1), sp.Integer(1)
        ),
        identity(r"and the whole data has no batch noise.", _f(n), sp.Integer(0)),
    ]


def _gd_steps() -> tuple[list, sp.Expr]:
    following = _next_error(GRADIENT_DESCENT)
    E = _expectation(following)
    factor = E(_w(1, -_mul(eta, h_B)) ** 2)
    edge = 2 * m / (m**2 + f_B * v)
    shown_edge = _mul(2, m, sp.Pow(_w(m**2, _mul(f_B, v)), -1))
    named_edge = Named("η*_gd", edge, latex=r"\eta^*_{\mathrm{gd}}")
    steps = [
        identity(
            r"Example $i$ has the loss $\frac{1}{2} h_i (x - x^*)^2$ ($h_i = a_i^2$ in least "
            r"squares); the batch drawn at step $t$ has the mean curvature $h_t$ and the "
            r"gradient $h_t e_t$ at the error $e_t = x_t - x^*$. A step of gradient descent "
            r"multiplies the error by $1 - \eta h_t$:",
            Named("e_(t + 1)", following, latex="e_{t+1}"),
            _mul(_w(1, -_mul(eta, h_t)), e[t]),
        ),
        *_batch_steps(),
        identity(
            r"The batch at step $t$ is drawn afresh, independent of $e_t$ (which depends only on "
            r"$e_0$ and the batches before it), so the expectation of "
            r"$(1 - \eta h_t)^2 e_t^2$ splits, $\mathbb{E}[h_t^k e_t^2] = \mathbb{E}[h_B^k]\,"
            r"\mathbb{E}[e_t^2]$:",
            E(e[t + 1] ** 2),
            _mul(factor, E(e[t] ** 2)),
        ),
        identity(
            "The factor, from the two moments of the batch,",
            factor,
            _w(_w(1, -eta * m) ** 2, _mul(eta**2, f_B, v)),
            result="gd_factor",
        ),
        identity(
            "is below 1 by",
            _w(1, -factor),
            _mul(eta, _w(2 * m, -_mul(eta, _w(m**2, _mul(f_B, v))))),
        ),
        equivalent_by_factor(
            r"So the second moment shrinks, from every start, iff (dividing by "
            r"$\eta(m^2 + f_B v) > 0$)",
            lt(factor, 1),
            lt(eta, shown_edge),
            eta * (m**2 + f_B * v),
            result="gd_condition",
        ),
        solves(
            "Its edge:",
            sp.Eq(_mul(eta, _w(m**2, _mul(f_B, v))), 2 * m),
            eta,
            shown_edge,
            result="gd_edge",
        ),
        identity(
            r"A batch of one example ($f_1 = 1$, with or without replacement) has the edge "
            r"$2\,\mathbb{E}[h] / \mathbb{E}[h^2]$, with $\mathbb{E}[h^2] = m^2 + v$:",
            sp.Subs(named_edge, f_B, 1),
            _mul(
                2,
                Named("E[h]", m, latex=r"\mathbb{E}[h]"),
                sp.Pow(Named("E[h²]", m**2 + v, latex=r"\mathbb{E}[h^2]"), -1),
            ),
            result="gd_edge_batch_1",
        ),
        identity(
            r"The whole data ($f_n = 0$) gives back the deterministic edge $2/h$ at $h = m$.",
            sp.Subs(named_edge, f_B, 0),
            2 / m,
        ),
    ]
    return steps, edge


def _heavy_ball_steps(gd_edge: sp.Expr) -> tuple[list, sp.Expr]:
    following = _next_error(HEAVY_BALL)
    E = _expectation(following)
    a = Named("a_t", _w(1, beta, -_mul(eta, h_B)), latex="a_t")
    now = sp.Matrix([E(e[t] ** 2), E(_mul(e[t], e[t - 1])), E(e[t - 1] ** 2)])
    later = sp.Matrix([E(e[t + 1] ** 2), E(_mul(e[t + 1], e[t])), E(e[t] ** 2)])
    M = NamedMatrix("M", minibatch_moment_matrix())
    shown = sp.Matrix([[E(a**2), -2 * beta * E(a), beta**2], [E(a), -beta, 0], [1, 0, 0]])
    s_shown = _w(1, beta, -eta * m)
    plain_M = _plain_matrix()
    cubic = sp.expand((z * sp.eye(3) - plain_M).det())
    p = defined("p", z, cubic)
    jury = [c.lhs for c in schur_cohn_conditions(sp.Poly(cubic, z))]
    j1 = Named("J_1", jury[4], latex="J_1")
    j2 = Named("J_2", jury[5], latex="J_2")
    weights = _w(_mul(_w(1, -beta), m**2), _mul(_w(1, beta), f_B, v))
    edge = 2 * (1 - beta**2) * m / ((1 - beta) * m**2 + (1 + beta) * f_B * v)
    shown_edge = _mul(2, _w(1, -(beta**2)), m, sp.Pow(weights, -1))
    named_edge = Named("η*_hb", edge, latex=r"\eta^*_{\mathrm{hb}}")
    p1_in_eta = _mul(eta, _w(_mul(2, _w(1, -(beta**2)), m), -_mul(eta, weights)))
    p1 = Named("p(1)", p1_in_eta, latex="p(1)")  # in eta, as the step below proves
    steps = [
        identity(
            r"Heavy ball in D2L's form, its velocity written $u$ here ($v$ is the variance): "
            r"$u \leftarrow \beta u + g$, $x \leftarrow x - \eta u$. With "
            r"$\eta u_t = x_{t-1} - x_t$ it is a recursion in the errors:",
            Named("e_(t + 1)", following, latex="e_{t+1}"),
            _w(_mul(_w(1, beta, -_mul(eta, h_t)), e[t]), -beta * e[t - 1]),
        ),
        identity(
            r"With $a_t = 1 + \beta - \eta h_t$ independent of $e_t$ and $e_{t-1}$, the "
            r"expectations of $e_{t+1}^2 = a_t^2 e_t^2 - 2\beta a_t e_t e_{t-1} + \beta^2 "
            r"e_{t-1}^2$ and of $e_{t+1} e_t = a_t e_t^2 - \beta e_t e_{t-1}$ split as before: "
            "the second moments follow a linear recursion, exact,",
            later,
            sp.MatMul(sp.ImmutableMatrix(shown), now, evaluate=False),
        ),
        identity("with", E(a), s_shown),
        identity(
            "and",
            E(a**2),
            _w(s_shown**2, _mul(eta**2, f_B, v)),
            result="heavy_ball_factor",
        ),
        identity(
            r"Write $s = 1 + \beta - \eta m$ and $\delta = \eta^2 f_B v \ge 0$: the matrix is",
            M,
            sp.Matrix([[_w(s**2, delta), -2 * beta * s, beta**2], [s, -beta, 0], [1, 0, 0]]),
            where={s: _s_value, delta: _delta_value},
        ),
        identity(
            "and its characteristic polynomial",
            p(z),
            _w(
                z**3,
                -_mul(_w(s**2, delta, -beta), z**2),
                -_mul(beta, _w(beta, delta, -(s**2)), z),
                -(beta**3),
            ),
            result="characteristic_polynomial",
        ),
        identity(
            r"Without batch noise ($\delta = 0$) it factors, the quadratic's roots the squares "
            r"$z_\pm^2$ of heavy ball's roots ($z_+ + z_- = s$, $z_+ z_- = \beta$): the second "
            r"moments then move with $z_+^2$, $z_+ z_- = \beta$ and $z_-^2$, as they must.",
            sp.Subs(p(z), delta, 0),
            _mul(_w(z, -beta), _w(z**2, -_mul(_w(s**2, -2 * beta), z), beta**2)),
        ),
        identity(
            r"Jury's test (degree 3): every root lies in the unit disc iff $p(1) > 0$, "
            r"$-p(-1) > 0$, $|p(0)| < 1$ and $|a_0 a_2 - a_1| < 1 - a_0^2$ for "
            r"$p = z^3 + a_2 z^2 + a_1 z + a_0$. First,",
            p(1),
            _w(_mul(_w(1, -beta), _w(_w(1, beta) ** 2, -(s**2))), -_mul(_w(1, beta), delta)),
        ),
        identity(
            "second,",
            -p(-1),
            _w(
                _mul(_w(1, beta), _w(1, -beta) ** 2),
                _mul(_w(1, beta), s**2),
                _mul(_w(1, -beta), delta),
            ),
        ),
        holds_for_all(
            r"which holds for every $|\beta| < 1$, real $s$ and $\delta \ge 0$ " + _INSIDE_TEXT,
            gt(-p(-1), 0),
            where=_INSIDE,
        ),
        identity(r"Third, $|p(0)| = |\beta|^3 < 1$ iff $|\beta| < 1$:", p(0), -(beta**3)),
        holds_for_all(
            r"The last is $J_1 > 0$ and $J_2 > 0$, with $J_{1,2} = 1 - a_0^2 \mp (a_0 a_2 - a_1)$; "
            r"for $|\beta| < 1$ each is at least a positive multiple of $p(1)$ "
            + _INSIDE_TEXT
            + ",",
            ge(_mul(_w(1, beta), j1), _mul(_w(1, beta**4), p(1))),
            where=_INSIDE,
        ),
        holds_for_all(
            r"so $p(1) > 0$ makes both hold.",
            ge(_mul(_w(1, beta), j2), _mul(_w(1, beta**2) ** 2, p(1))),
            where=_INSIDE,
        ),
        identity(
            r"So for $|\beta| < 1$ the second moments converge iff $p(1) > 0$; in $\eta$,",
            p(1),
            p1_in_eta,
            where={s: _s_value, delta: _delta_value},
        ),
        equivalent_by_factor(
            r"that is (dividing by $\eta((1 - \beta)m^2 + (1 + \beta) f_B v) > 0$, "
            + _INSIDE_TEXT[1:-1]
            + ")",
            gt(p1, 0),
            lt(eta, shown_edge),
            eta * ((1 - beta) * m**2 + (1 + beta) * f_B * v),
            where=_INSIDE,
            result="heavy_ball_condition",
        ),
        solves(
            r"Its edge, where $p(1)$ vanishes at $\eta > 0$:",
            sp.Eq(_mul(p1, sp.Pow(eta, -1)), 0),
            eta,
            shown_edge,
            result="heavy_ball_edge",
        ),
        identity(
            r"Without batch noise ($f_B v = 0$: $v = 0$, or the whole data) it is heavy ball's "
            "deterministic edge,",
            sp.Subs(named_edge, v, 0),
            _mul(2, _w(1, beta), sp.Pow(m, -1)),
        ),
        identity(
            r"at $\beta = 0$ the edge of gradient descent,",
            sp.Subs(named_edge, beta, 0),
            Named("η*_gd", gd_edge, latex=r"\eta^*_{\mathrm{gd}}"),
        ),
        identity(
            r"the batch noise enters amplified by $(1 + \beta)/(1 - \beta)$,",
            named_edge,
            _mul(
                2,
                _w(1, beta),
                m,
                sp.Pow(
                    _w(m**2, _mul(_mul(_w(1, beta), sp.Pow(_w(1, -beta), -1)), f_B, v)),
                    -1,
                ),
            ),
        ),
        holds_for_all(
            "and the region is never larger than the deterministic one " + _INSIDE_TEXT + ".",
            ge(_mul(2, _w(1, beta), sp.Pow(m, -1)), named_edge),
            where=_INSIDE,
        ),
    ]
    return steps, edge


def derive_minibatch() -> Derivation:
    """The mean-square condition of minibatch gd and heavy ball on one curvature, checked.

    Results: ``batch_second_moment`` (``E[h_B^2]``), ``gd_factor``,
    ``gd_condition``, ``gd_edge``, ``gd_edge_batch_1``, ``heavy_ball_factor``
    (``E[(1 + beta - eta h_B)^2]``), ``characteristic_polynomial`` (of the 3 x 3
    moment recursion, in ``s = 1 + beta - eta m`` and ``delta = eta^2 f_B v``),
    ``heavy_ball_condition`` and ``heavy_ball_edge`` (for ``|beta| < 1``).
    """
    gd, gd_edge = _gd_steps()
    hb, hb_edge = _heavy_ball_steps(gd_edge)
    return Derivation(
        title="Minibatch SGD on one curvature: the mean-square edge",
        steps=tuple(gd + hb),
        results={
            "batch_second_moment": m**2 + f_B * v,
            "gd_factor": (1 - eta * m) ** 2 + eta**2 * f_B * v,
            "gd_condition": lt(eta, gd_edge),
            "gd_edge": gd_edge,
            "gd_edge_batch_1": 2 * m / (m**2 + v),
            "heavy_ball_factor": (1 + beta - eta * m) ** 2 + eta**2 * f_B * v,
            "characteristic_polynomial": sp.expand((z * sp.eye(3) - _plain_matrix()).det()),
            "heavy_ball_condition": lt(eta, hb_edge),
            "heavy_ball_edge": hb_edge,
        },
        remarks=(
            r"With residuals at the minimizer ($y_i \ne a_i x^*$) the gradient carries an "
            "additive term as well: it sets the plateau, not the edge, which belongs to the "
            "recursion above.",
            "The edge is where the second moment stops shrinking: just above it single runs "
            "can look fine for a while (the error's law has heavy tails), and training is "
            "unreliable rather than at once divergent.",
        ),
    )
