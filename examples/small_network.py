"""A small PyTorch network for ``momentum tune --from-model examples.small_network:make``.

``make()`` returns what the command needs, ``(model, loss_fn, data)``: a
1-16-1 tanh network, the mean squared error, and 64 points of the Chebyshev
polynomial T_3(x) = 4x^3 - 3x on [-1, 1]. Offline and deterministic (its own
seeded generator, float64). Its Hessian has a negative eigenvalue, as a
network's often does: there is no [mu, L] to tune on, only L.
``make_linear()`` is D2L's airfoil regression as a linear model with the
halved mean squared error: a quadratic, so mu > 0 and the tuning holds
everywhere. Write your own the same way: any importable function that
returns the three. Run from the project folder::

    momentum tune --from-model examples.small_network:make --momentum 0.9
    momentum tune --from-model examples.small_network:make_linear

or ``python examples/small_network.py`` for the spectrum alone.
"""

import torch


def make():
    generator = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    with (
        torch.no_grad()
    ):  # uniform in [-1, 1], from this generator (torch's default: ±1/4 at the output)
        for p in model.parameters():
            p.uniform_(-1.0, 1.0, generator=generator)
    model = model.double()
    x = torch.linspace(-1.0, 1.0, 64, dtype=torch.float64)[:, None]
    y = 4 * x**3 - 3 * x
    return model, torch.nn.MSELoss(), (x, y)


def make_linear():
    import numerics

    X, y = numerics.load_airfoil()
    model = torch.nn.Linear(5, 1).double()

    def halved_mse(out, target):
        return 0.5 * torch.nn.functional.mse_loss(out, target)

    return model, halved_mse, (torch.tensor(X), torch.tensor(y)[:, None])


if __name__ == "__main__":
    import numerics

    for name, made in (("make", make()), ("make_linear", make_linear())):
        spec = numerics.hessian_spectrum(*made, which="both")
        print(f"{name}: {spec.n_parameters} parameters, [{spec.smallest:.6g}, {spec.largest:.6g}]")
