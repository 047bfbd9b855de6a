import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from resbench.experiments.landscape import (filter_normalized_direction, grid_axis, hessian_extremes,
                                            interpolation_rows, loss_and_error, nonconvex_fraction, surface_rows)
from resbench.report.landscape_claims import landscape_claim

from ..models.test_surgery import trained_like


def data(n=32):
    torch.manual_seed(0)
    return torch.randn(n, 1, 8, 8), torch.randint(0, 10, (n,))


def test_filter_normalization_matches_every_weight_filter_and_zeroes_bias_bn():
    model = trained_like(depth=8)
    direction = filter_normalized_direction(model, seed=3)
    for p, d in zip(model.parameters(), direction):
        if p.dim() <= 1:
            assert torch.count_nonzero(d) == 0
        else:
            dims = tuple(range(1, p.dim()))
            assert torch.allclose(torch.linalg.vector_norm(d, dim=dims), torch.linalg.vector_norm(p, dim=dims),
                                  rtol=1e-4)
    again = filter_normalized_direction(model, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(direction, again))  # seeded: reproducible


def test_center_of_the_surface_is_the_models_own_loss_and_weights_are_restored():
    model = trained_like(depth=8)
    x, y = data()
    before = [p.detach().clone() for p in model.parameters()]
    directions = [filter_normalized_direction(model, s) for s in (0, 1)]
    axis = grid_axis(5, 1.0)
    rows = surface_rows(model, x, y, directions, axis, axis, rows=[2])
    center = next(r for r in rows if r["j"] == 2)
    assert abs(center["loss"] - loss_and_error(model, x, y)[0]) < 1e-6
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_chunked_and_unchunked_grids_are_identical():
    model = trained_like(depth=8)
    x, y = data()
    directions = [filter_normalized_direction(model, s) for s in (0, 1)]
    axis = grid_axis(4, 0.5)
    whole = surface_rows(model, x, y, directions, axis, axis, rows=range(4))
    parts = surface_rows(model, x, y, directions, axis, axis, rows=[0, 1]) + \
        surface_rows(model, x, y, directions, axis, axis, rows=[2, 3])
    assert whole == parts


def test_hessian_extremes_match_the_exact_hessian_of_a_tiny_model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3))
    x, y = torch.randn(16, 3), torch.randint(0, 3, (16,))
    params = list(model.parameters())
    shapes = [p.shape for p in params]
    flat = torch.cat([p.detach().flatten() for p in params])

    def loss_of(vector):
        chunks, k = [], 0
        for s in shapes:
            n = int(np.prod(s))
            chunks.append(vector[k:k + n].view(s))
            k += n
        w1, b1, w2, b2 = chunks
        return F.cross_entropy(F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2), y)

    eig = torch.linalg.eigvalsh(torch.autograd.functional.hessian(loss_of, flat)).numpy()
    top = eig[np.argmax(np.abs(eig))]
    other = eig[np.argmax(np.abs(eig - top))]
    est = hessian_extremes(model, x, y, iters=300, seed=0)
    assert abs(est["lambda_max"] - top) < 1e-3 * abs(top)
    assert abs(est["lambda_min"] - other) < 1e-2 * abs(top)


def test_nonconvex_fraction_is_zero_for_a_bowl_and_positive_for_bumps():
    a, b = np.meshgrid(np.linspace(-1, 1, 11), np.linspace(-1, 1, 11))
    assert nonconvex_fraction(a ** 2 + b ** 2) == 0
    assert nonconvex_fraction(a ** 2 + b ** 2 + 0.3 * np.sin(9 * a) * np.cos(9 * b)) > 0.2


def test_landscape_claim_from_roughness():
    def frame(values):
        return pd.DataFrame([{"arch": a, "depth": d, "nonconvex_fraction": v, "curvature_ratio": 0.1 * v,
                              "lambda_max": 1 + d}
                             for (a, d), v in values.items()])

    assert landscape_claim(frame({("plain", 20): 0.02, ("plain", 56): 0.4, ("resnet", 20): 0.02,
                                  ("resnet", 56): 0.03}))["verdict"] == "reproduced"
    assert landscape_claim(frame({("plain", 20): 0.02, ("plain", 56): 0.03, ("resnet", 20): 0.02,
                                  ("resnet", 56): 0.03}))["verdict"] == "not_reproduced"
    assert landscape_claim(frame({("plain", 20): 0.02, ("resnet", 20): 0.02}))["verdict"] == "inconclusive"


def test_interpolation_ends_are_the_two_solutions():
    a, b = trained_like(depth=8, seed=0), trained_like(depth=8, seed=1)
    x, y = data()
    state_a = {k: v.clone() for k, v in a.state_dict().items()}
    rows = interpolation_rows(a, state_a, b.state_dict(), x, y, [0.0, 0.5, 1.0])
    by = {(r["kind"], r["t"]): r["loss"] for r in rows}
    assert abs(by[("states", 0.0)] - loss_and_error(a, x, y)[0]) < 1e-6
    assert abs(by[("states", 1.0)] - loss_and_error(b, x, y)[0]) < 1e-5
    assert by[("weights", 1.0)] != by[("states", 1.0)]  # BN statistics stay A's
    assert all(torch.equal(v, a.state_dict()[k]) for k, v in state_a.items())  # A restored
