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

from theory.engine.claims import equivalent_by_factor, fact, holds_for_all, solves
from theory.engine.derivation import Derivation, ge, gt, identity, lt
from theory.engine.named import Named, NamedMatrix, defined, expand_names
from theory.engine.printing import Written
from theory.engine.prose import Assign, Listed, Sentence, say
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
_BETA_INSIDE = sp.Lt(sp.Abs(beta), 1, evaluate=False)

#: the error at step k (an unknown: its moments are what the recursion relates)
e = sp.IndexedBase("e", real=True)
#: the finite-population factor as a function of the batch size
_f = defined("f", B, (n - B) / (B * (n - 1)), subscript=True)
_F_WRITTEN = sp.Mul(
    Written(sp.Add(n, -B, evaluate=False)),
    sp.Pow(sp.Mul(B, Written(sp.Add(n, -1, evaluate=False)), evaluate=False), -1),
    evaluate=False,
)
#: the batch S, examples i and j, the minimizer x*, a curvature h, E[h] and E[h^2]
_S = sp.Symbol("S")
_i, _j = sp.symbols("i j", integer=True, positive=True)
_X_STAR = Named("x*", sp.Symbol("x^*", real=True), latex="x^*")
_H = sp.Symbol("h", nonnegative=True)
_MEAN = Named("E[h]", m, latex=r"\mathbb{E}[h]")
_SQUARE = Named("E[h²]", Written(sp.Add(m**2, v, evaluate=False)), latex=r"\mathbb{E}[h^2]")
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
        try:
            poly = sp.Poly(sp.expand(X), h_t, *state)
        except sp.PolynomialError:  # E[h_t^k e_t^2] at a symbolic k: a name in a sentence only
            return None
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

        def _mathml_presentation(self, printer):
            inner = printer._print(self.args[0])
            return printer._row(printer._el("mi", text="𝔼"), printer._fenced(inner, "[", "]"))

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


def _eq(lhs, rhs) -> sp.Eq:
    """``lhs = rhs`` as written, for a sentence (a definition or a name, not a claim)."""
    return sp.Eq(lhs, rhs, evaluate=False)


def _inside(brackets: bool = True) -> Sentence:
    """How a step for |beta| < 1 was checked: with beta = (1 - r)/(1 + r), r > 0."""
    inner = say(
        "checked with {beta}, {r}, which is {inside}",
        beta=_eq(beta, _mul(_w(1, -_r), sp.Pow(_w(1, _r), -1))),
        r=gt(_r, 0),
        inside=_BETA_INSIDE,
    )
    return "(" + inner + ")" if brackets else inner


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
    in_batch = Named("Σ_(i∈S) h_i", B * h_B, latex=r"\sum_{i \in S} h_i")
    square = Named("E[h²]", m**2 + v, latex=r"\mathbb{E}[h^2]")
    second = _w(m**2, _mul(f_B, v))
    return [
        identity(
            say(
                "The batch {S} is {B} of the {n} examples drawn uniformly without replacement, "
                "afresh at every step: of the {all} equally likely batches {holding} hold a given "
                "example {i}: its probability {p1} is",
                S=_S,
                B=B,
                n=n,
                all=sp.binomial(n, B),
                holding=sp.binomial(n - 1, B - 1),
                i=_i,
                p1=_eq(counted_one, Named("P(i ∈ S)", B / n, latex=r"P(i \in S)")),
            ),
            counted_one,
            B / n,
        ),
        identity(
            say(
                "and {holding} a given pair {pair}: {p2} is",
                holding=sp.binomial(n - 2, B - 2),
                pair=sp.Ne(_i, _j),
                p2=_eq(counted_two, Named("P(i, j ∈ S)", two.value, latex=r"P(i, j \in S)")),
            ),
            counted_two,
            _mul(B, _w(B, -1), sp.Pow(n, -1), sp.Pow(_w(n, -1), -1)),
        ),
        identity(
            say(
                "So the batch's mean curvature {mean} has the mean {E} (with {sum}, {m} the mean "
                "curvature)",
                mean=_eq(h_B, _mul(sp.Pow(B, -1), in_batch)),
                E=Named("E[h_B]", m, latex=r"\mathbb{E}[h_B]"),
                sum=_eq(sum_h, _mul(n, m)),
                m=m,
            ),
            _mul(sp.Pow(B, -1), one, sum_h),
            m,
        ),
        identity(
            say(
                "and, squaring the sum, the second moment {E} (with {sum2}, {v} the population "
                "variance, and {pairs}), where {f} is the finite-population factor:",
                E=Named("E[h_B²]", second, latex=r"\mathbb{E}[h_B^2]"),
                sum2=_eq(sum_h2, _mul(n, _w(m**2, v))),
                v=v,
                pairs=_eq(pairs, _w(_mul(n**2, m**2), -_mul(n, _w(m**2, v)))),
                f=fact(_f(B), _F_WRITTEN),
            ),
            _mul(sp.Pow(B, -2), _w(_mul(one, sum_h2), _mul(two, pairs))),
            second,
            where={f_B: _f(B).value_at()},
            result="batch_second_moment",
        ),
        identity(
            say(
                "Drawn with replacement the {B} draws are independent, and the same holds with "
                "{f}:",
                B=B,
                f=_eq(f_B, sp.Pow(B, -1)),
            ),
            _mul(sp.Pow(B, -2), _w(_mul(B, square), _mul(B, _w(B, -1), m**2))),
            second,
            where={f_B: 1 / B},
        ),
        identity(
            "One example a step is the same with or without replacement,", _f(1), sp.Integer(1)
        ),
        identity("and the whole data has no batch noise.", _f(n), sp.Integer(0)),
    ]


def _gd_steps() -> tuple[list, sp.Expr]:
    following = _next_error(GRADIENT_DESCENT)
    E = _expectation(following)
    factor = E(_w(1, -_mul(eta, h_B)) ** 2)
    edge = 2 * m / (m**2 + f_B * v)
    shown_edge = _mul(2, m, sp.Pow(_w(m**2, _mul(f_B, v)), -1))
    named_edge = Named("η*_gd", edge, latex=r"\eta^*_{\mathrm{gd}}")
    h, a, x = sp.IndexedBase("h"), sp.IndexedBase("a"), sp.IndexedBase("x")
    k = sp.Symbol("k", integer=True, nonnegative=True)
    one_step = _mul(_w(1, -_mul(eta, h_t)), e[t])
    steps = [
        identity(
            say(
                "Example {i} has the loss {loss} ({h} in least squares); the batch drawn at step "
                "{t} has the mean curvature {h_t} and the gradient {gradient} at the error {error}. "
                "A step of gradient descent multiplies the error by {factor}:",
                i=_i,
                loss=_mul(sp.Rational(1, 2), h[_i], _w(x[t], -_X_STAR) ** 2),
                h=_eq(h[_i], a[_i] ** 2),
                t=t,
                h_t=h_t,
                gradient=_mul(h_t, e[t]),
                error=_eq(e[t], _w(x[t], -_X_STAR)),
                factor=_w(1, -_mul(eta, h_t)),
            ),
            Named("e_(t + 1)", following, latex="e_{t+1}"),
            one_step,
        ),
        *_batch_steps(),
        identity(
            say(
                "The batch at step {t} is drawn afresh, independent of {e_t} (which depends only on "
                "{e_0} and the batches before it), so the expectation of {square} splits, {split}:",
                t=t,
                e_t=e[t],
                e_0=e[0],
                square=fact(
                    Named("e_(t + 1)", following, latex="e_{t+1}") ** 2,
                    _mul(_w(1, -_mul(eta, h_t)) ** 2, e[t] ** 2),
                ),
                split=_eq(E(_mul(h_t**k, e[t] ** 2)), _mul(E(h_B**k), E(e[t] ** 2))),
            ),
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
            say(
                "So the second moment shrinks, from every start, iff (dividing by {factor})",
                factor=gt(_mul(eta, _w(m**2, _mul(f_B, v))), 0),
            ),
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
            say(
                "A batch of one example ({one}, with or without replacement) has the edge {edge}, "
                "with {square}:",
                one=fact(_f(1), 1),
                edge=_mul(2, _MEAN, sp.Pow(_SQUARE, -1)),
                square=_eq(_SQUARE, _w(m**2, v)),
            ),
            sp.Subs(named_edge, f_B, 1),
            _mul(2, _MEAN, sp.Pow(_SQUARE, -1)),
            result="gd_edge_batch_1",
        ),
        identity(
            say(
                "The whole data ({whole}) gives back the deterministic edge {edge} at {h}.",
                whole=fact(_f(n), 0),
                edge=_mul(2, sp.Pow(_H, -1)),
                h=_eq(_H, m),
            ),
            sp.Subs(named_edge, f_B, 0),
            2 / m,
        ),
    ]
    return steps, edge


def _heavy_ball_steps(gd_edge: sp.Expr) -> tuple[list, sp.Expr]:
    following = _next_error(HEAVY_BALL)
    E = _expectation(following)
    a = Named("a_t", _w(1, beta, -_mul(eta, h_B)), latex="a_t")
    a_now = Named("a_t", _w(1, beta, -_mul(eta, h_t)), latex="a_t")  # at step t's batch
    e_next = Named("e_(t + 1)", following, latex="e_{t+1}")
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
    # heavy ball's roots without batch noise, in s: z_+ + z_- = s and z_+ z_- = beta (checked)
    root = sp.sqrt(s**2 - 4 * beta)
    z_plus = Named("z_+", (s + root) / 2, latex="z_+")
    z_minus = Named("z_−", (s - root) / 2, latex="z_-")
    u, g, x = sp.Symbol("u"), sp.Symbol("g"), sp.Symbol("x")
    xs, us = sp.IndexedBase("x"), sp.IndexedBase("u")
    a0, a1, a2 = sp.symbols("a_0 a_1 a_2", real=True)
    generic = [c.lhs for c in schur_cohn_conditions(sp.Poly(z**3 + a2 * z**2 + a1 * z + a0, z))]
    mixed = _w(_mul(a0, a2), -a1)
    steps = [
        identity(
            say(
                "Heavy ball in D2L's form, its velocity written {u} here ({v} is the variance): "
                "{velocity}, {position}. With {velocity_t} it is a recursion in the errors:",
                u=u,
                v=v,
                velocity=Assign(u, _w(_mul(beta, u), g)),
                position=Assign(x, _w(x, -_mul(eta, u))),
                velocity_t=_eq(_mul(eta, us[t]), _w(xs[t - 1], -xs[t])),
            ),
            e_next,
            _w(_mul(_w(1, beta, -_mul(eta, h_t)), e[t]), -beta * e[t - 1]),
        ),
        identity(
            say(
                "With {a} independent of {e_t} and {e_before}, the expectations of {square} and of "
                "{cross} split as before: the second moments follow a linear recursion, exact,",
                a=_eq(a_now, a_now.value),
                e_t=e[t],
                e_before=e[t - 1],
                square=fact(
                    e_next**2,
                    _w(
                        _mul(a_now**2, e[t] ** 2),
                        -_mul(2, beta, a_now, e[t], e[t - 1]),
                        _mul(beta**2, e[t - 1] ** 2),
                    ),
                ),
                cross=fact(
                    _mul(e_next, e[t]), _w(_mul(a_now, e[t] ** 2), -_mul(beta, e[t], e[t - 1]))
                ),
            ),
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
            say(
                "Write {s} and {delta}, {nonnegative}: the matrix is",
                s=_eq(s, s_shown),
                delta=_eq(delta, _mul(eta**2, f_B, v)),
                nonnegative=ge(delta, 0),
            ),
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
            say(
                "Without batch noise ({none}) it factors, the quadratic's roots the squares "
                "{squares} of heavy ball's roots ({sum}, {product}): the second moments then move "
                "with {plus}, {mixed} and {minus}, as they must.",
                none=_eq(delta, 0),
                squares=Listed(z_plus**2, z_minus**2),
                sum=fact(_w(z_plus, z_minus), s),
                product=fact(_mul(z_plus, z_minus), beta),
                plus=z_plus**2,
                mixed=_eq(_mul(z_plus, z_minus), beta),
                minus=z_minus**2,
            ),
            sp.Subs(p(z), delta, 0),
            _mul(_w(z, -beta), _w(z**2, -_mul(_w(s**2, -2 * beta), z), beta**2)),
        ),
        identity(
            say(
                "Jury's test (degree 3): every root lies in the unit disc iff {one}, {minus}, "
                "{zero} and {mixed} for {p}. First,",
                one=gt(p(1), 0),
                minus=gt(-p(-1), 0),
                zero=sp.Lt(sp.Abs(p(0)), 1, evaluate=False),
                mixed=sp.Lt(sp.Abs(mixed), _w(1, -(a0**2)), evaluate=False),
                p=_eq(p(z), _w(z**3, _mul(a2, z**2), _mul(a1, z), a0)),
            ),
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
            say(
                "which holds for every {inside}, real {s} and {delta} ",
                inside=_BETA_INSIDE,
                s=s,
                delta=ge(delta, 0),
            )
            + _inside(),
            gt(-p(-1), 0),
            where=_INSIDE,
        ),
        identity(
            say(
                "Third, {p0}, below 1 iff {inside}:",
                p0=fact(sp.Abs(p(0)), sp.Pow(sp.Abs(beta), 3, evaluate=False)),
                inside=_BETA_INSIDE,
            ),
            p(0),
            -(beta**3),
        ),
        holds_for_all(
            say(
                "The last is {j1} and {j2}, with {d1} and {d2}; for {inside} each is at least a "
                "positive multiple of {p1} ",
                j1=gt(j1, 0),
                j2=gt(j2, 0),
                d1=_eq(j1, fact(generic[4], _w(1, -(a0**2), -mixed)).rhs),
                d2=_eq(j2, fact(generic[5], _w(1, -(a0**2), mixed)).rhs),
                inside=_BETA_INSIDE,
                p1=p(1),
            )
            + _inside()
            + ",",
            ge(_mul(_w(1, beta), j1), _mul(_w(1, beta**4), p(1))),
            where=_INSIDE,
        ),
        holds_for_all(
            say("so {positive} makes both hold.", positive=gt(p(1), 0)),
            ge(_mul(_w(1, beta), j2), _mul(_w(1, beta**2) ** 2, p(1))),
            where=_INSIDE,
        ),
        identity(
            say(
                "So for {inside} the second moments converge iff {positive}; in {eta},",
                inside=_BETA_INSIDE,
                positive=gt(p(1), 0),
                eta=eta,
            ),
            p(1),
            p1_in_eta,
            where={s: _s_value, delta: _delta_value},
        ),
        equivalent_by_factor(
            say("that is (dividing by {factor}, ", factor=gt(_mul(eta, weights), 0))
            + _inside(brackets=False)
            + ")",
            gt(p1, 0),
            lt(eta, shown_edge),
            eta * ((1 - beta) * m**2 + (1 + beta) * f_B * v),
            where=_INSIDE,
            result="heavy_ball_condition",
        ),
        solves(
            say("Its edge, where {p1} vanishes at {positive}:", p1=p(1), positive=gt(eta, 0)),
            sp.Eq(_mul(p1, sp.Pow(eta, -1)), 0),
            eta,
            shown_edge,
            result="heavy_ball_edge",
        ),
        identity(
            say(
                "Without batch noise ({none}: {v}, or the whole data) it is heavy ball's "
                "deterministic edge,",
                none=_eq(_mul(f_B, v), 0),
                v=_eq(v, 0),
            ),
            sp.Subs(named_edge, v, 0),
            _mul(2, _w(1, beta), sp.Pow(m, -1)),
        ),
        identity(
            say("at {zero} the edge of gradient descent,", zero=_eq(beta, 0)),
            sp.Subs(named_edge, beta, 0),
            Named("η*_gd", gd_edge, latex=r"\eta^*_{\mathrm{gd}}"),
        ),
        identity(
            say(
                "the batch noise enters amplified by {amplified},",
                amplified=_mul(_w(1, beta), sp.Pow(_w(1, -beta), -1)),
            ),
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
            "and the region is never larger than the deterministic one " + _inside() + ".",
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
            say(
                "With residuals at the minimizer ({residual}) the gradient carries an additive "
                "term as well: it sets the plateau, not the edge, which belongs to the recursion "
                "above.",
                residual=sp.Ne(sp.IndexedBase("y")[_i], _mul(sp.IndexedBase("a")[_i], _X_STAR)),
            ),
            "The edge is where the second moment stops shrinking: just above it single runs "
            "can look fine for a while (the error's law has heavy tails), and training is "
            "unreliable rather than at once divergent.",
        ),
    )
