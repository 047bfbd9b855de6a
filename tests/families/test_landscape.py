import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from resbench.families.landscape.claims import RAY_MARGIN, falling_ray_share, landscape_claim, strict_local_minima
from resbench.families.landscape.measure import (
    curvature_map,
    fast_layout,
    filter_normalized_direction,
    grid_axis,
    hessian_extremes,
    interpolation_rows,
    loss_and_error,
    nonconvex_fraction,
    surface_rows,
)

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
    scale = np.abs(eig).max()
    est = hessian_extremes(model, x, y, iters=300, seed=0)  # Lanczos stops at the 31 parameters: exact
    assert abs(est["lambda_max"] - eig.max()) < 1e-4 * scale
    assert abs(est["lambda_min"] - eig.min()) < 1e-4 * scale
    assert eig.min() < 0 < eig.max()  # a saddle, so both ends are tested
    few = hessian_extremes(model, x, y, iters=12, seed=0)  # both ends converge long before n steps
    assert abs(few["lambda_max"] - eig.max()) < 1e-2 * scale
    assert abs(few["lambda_min"] - eig.min()) < 1e-2 * scale


def test_ratio_map_centre_equals_the_centre_estimate_and_weights_are_restored():
    model = trained_like(depth=8)
    x, y = data(16)
    before = [p.detach().clone() for p in model.parameters()]
    directions = [filter_normalized_direction(model, s) for s in (0, 1)]
    cells = curvature_map(model, x, y, directions, grid_axis(3, 0.5), iters=5, seed=1)
    assert [(c["i"], c["j"]) for c in cells] == [(i, j) for i in range(3) for j in range(3)]
    centre = hessian_extremes(model, x, y, iters=5, seed=1)
    assert abs(cells[4]["lambda_max"] - centre["lambda_max"]) <= 1e-4 * abs(centre["lambda_max"])
    assert cells[0]["lambda_max"] != cells[4]["lambda_max"]  # the corners really moved
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_channels_last_surface_equals_the_contiguous_one():
    model = trained_like(depth=8)
    x, y = data()
    directions = [filter_normalized_direction(model, s) for s in (0, 1)]
    axis = grid_axis(3, 0.5)
    plain = surface_rows(model, x, y, directions, axis, axis, rows=[0])
    fast_model, fast_x = fast_layout(model, x)
    assert fast_x.is_contiguous(memory_format=torch.channels_last)
    fast = surface_rows(fast_model, fast_x, y, directions, axis, axis, rows=[0])
    assert np.allclose([r["loss"] for r in plain], [r["loss"] for r in fast], rtol=1e-5)


def test_nonconvex_fraction_is_zero_for_a_bowl_and_positive_for_bumps():
    a, b = np.meshgrid(np.linspace(-1, 1, 11), np.linspace(-1, 1, 11))
    assert nonconvex_fraction(a ** 2 + b ** 2) == 0
    assert nonconvex_fraction(a ** 2 + b ** 2 + 0.3 * np.sin(9 * a) * np.cos(9 * b)) > 0.2


AXIS = np.linspace(-1, 1, 11)
A, B = np.meshgrid(AXIS, AXIS, indexing="ij")


def leveling_basin():
    """A smooth basin that levels off into a plateau (plain-20's shape on digits): smooth."""
    return 2.3 - 2.2 * np.exp(-3 * (A ** 2 + B ** 2))


def bumpy_bowl():
    """A steep bowl with small bumps: rough."""
    return 1 + 4 * (A ** 2 + B ** 2) + 0.6 * np.cos(7 * A) * np.cos(7 * B)


def blowing_up():
    """A basin whose loss explodes to 1e8 at the edges (plain-56 in eval mode) with local minima near θ*."""
    return np.where(A ** 2 + B ** 2 > 0.6, 1e8, 1 + (A ** 2 + B ** 2) + 0.5 * np.sin(12 * A) * np.sin(12 * B))


def test_roughness_is_not_fooled_by_plateaus_blowups_or_monotone_transforms():
    assert strict_local_minima(leveling_basin()) == 1 and falling_ray_share(leveling_basin()) == 0
    assert falling_ray_share(bumpy_bowl()) >= 0.5 and strict_local_minima(bumpy_bowl()) > 1
    assert strict_local_minima(blowing_up()) > 1 and falling_ray_share(blowing_up()) > 0  # not "convex"
    for surface in (leveling_basin(), bumpy_bowl(), blowing_up()):
        assert strict_local_minima(np.log(surface)) == strict_local_minima(surface)
        assert falling_ray_share(np.log(surface)) == falling_ray_share(surface)


def surfaces(shapes: dict) -> pd.DataFrame:
    """{(arch, depth): [loss grid per seed]} -> a surfaces.csv-like frame."""
    rows = []
    for (arch, depth), grids in shapes.items():
        for seed, grid in enumerate(grids):
            rows += [{"arch": arch, "depth": depth, "seed": seed, "run_id": f"{arch}{depth}_s{seed}", "i": i, "j": j,
                      "alpha": AXIS[i], "beta": AXIS[j], "loss": grid[i, j]} for i in range(11) for j in range(11)]
    return pd.DataFrame(rows)


def runs_for(frame: pd.DataFrame, untrained=()) -> pd.DataFrame:
    ids = frame["run_id"].unique()
    return pd.DataFrame({"run_id": ids, "final_train_error": [0.6 if r in untrained else 0.01 for r in ids]})


def test_landscape_claim_from_roughness_over_seeds_and_trained_models_only():
    curvature = pd.DataFrame({"arch": ["plain", "resnet"], "depth": [56, 56], "lambda_max": [1000.0, 12.0]})
    smooth, rough = [leveling_basin()] * 3, [bumpy_bowl(), bumpy_bowl() * 1.1, bumpy_bowl() + 0.2]
    chaotic = surfaces({("plain", 20): smooth, ("plain", 56): rough, ("resnet", 20): smooth, ("resnet", 56): smooth})
    claim = landscape_claim(curvature, chaotic, runs_for(chaotic))
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert "Sharpness, a different property" in claim["sentence"]
    calm = surfaces({("plain", 20): smooth, ("plain", 56): smooth, ("resnet", 20): smooth, ("resnet", 56): smooth})
    assert landscape_claim(curvature, calm, runs_for(calm))["verdict"] == "not_reproduced"
    # An untrained plain-56 is left out: the verdict falls back to the deepest depth where plain trained.
    claim = landscape_claim(curvature, chaotic, runs_for(chaotic, untrained={f"plain56_s{s}" for s in range(3)}))
    assert claim["evidence"]["depth"] == 20 and "Left out as not trained" in claim["sentence"]
    one_seed = surfaces({("plain", 20): smooth[:1], ("plain", 56): rough[:1], ("resnet", 20): smooth[:1],
                         ("resnet", 56): smooth[:1]})
    assert landscape_claim(curvature, one_seed, runs_for(one_seed))["verdict"] == "inconclusive"


def test_landscape_compares_one_depth_and_is_inconclusive_when_seeds_disagree():
    curvature = pd.DataFrame({"arch": ["plain"], "depth": [56], "lambda_max": [1000.0]})
    smooth, rough = [leveling_basin()] * 3, [bumpy_bowl(), bumpy_bowl() * 1.1, bumpy_bowl() + 0.2]
    # Plain-56 did not train: plain-20 is compared with ResNet-20, not ResNet-56; the ResNets' change is 20 -> 56.
    chaotic = surfaces({("plain", 20): rough, ("plain", 56): rough, ("resnet", 20): smooth, ("resnet", 56): smooth})
    claim = landscape_claim(curvature, chaotic, runs_for(chaotic, untrained={f"plain56_s{s}" for s in range(3)}))
    assert claim["evidence"]["depth"] == 20 and claim["evidence"]["deepest_resnet_depth"] == 56
    assert claim["verdict"] == "reproduced", claim["sentence"]
    # One plain seed of three smooth: the difference's interval holds both 0 and the margin.
    mixed = surfaces({("plain", 56): [rough[0], smooth[0], rough[1]], ("resnet", 20): smooth, ("resnet", 56): smooth})
    claim = landscape_claim(curvature, mixed, runs_for(mixed))
    part = claim["evidence"]["parts"]["plain_rougher"]
    assert part["low"] < RAY_MARGIN < part["high"] and part["outcome"] == "not_shown"
    assert claim["verdict"] == "inconclusive" and "Not shown, not contradicted: plain rougher" in claim["sentence"]


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


@pytest.mark.parametrize("name", ["resnet", "plain", "resnet_c", "preact_resnet", "resnet_gate", "resnet_bn_after_add", "highway"])
def test_folded_batchnorm_gives_the_models_outputs_as_its_weights_move(name):
    """The folded copy evaluates what the model does in eval mode, also after the model's weights
    (convolutions and BatchNorm affine) move, once refreshed."""
    import timm

    from resbench.families.landscape.fold import fold_batchnorm

    torch.manual_seed(0)
    model = timm.create_model(f"{name}_cifar", depth=8, in_chans=1).eval()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    x = torch.randn(16, 1, 8, 8)
    folded, refresh = fold_batchnorm(model)
    with torch.no_grad():
        assert torch.allclose(folded(x), model(x), atol=1e-5)
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
        assert not torch.allclose(folded(x), model(x), atol=1e-3)  # stale until refreshed
        refresh()
        assert torch.allclose(folded(x), model(x), atol=1e-5)
    modules = dict(folded.named_modules())
    calls = [n for n in folded.graph.nodes if n.op == "call_module"]
    assert any(n.target.startswith("folded_") for n in calls)  # something was folded
    bn_left = sum(isinstance(modules[n.target], torch.nn.BatchNorm2d) for n in calls)
    assert bn_left < sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())


def test_fused_rows_give_the_per_point_surface():
    """A row's points evaluated as one fused model (the GPU path) match one point per pass to float
    rounding (grouped instead of single convolutions), and the weights are untouched."""
    model = trained_like(depth=8)
    x, y = data()
    before = [p.detach().clone() for p in model.parameters()]
    directions = [filter_normalized_direction(model, s) for s in (0, 1)]
    axis = grid_axis(5, 1.0)
    single = surface_rows(model, x, y, directions, axis, axis, rows=[0, 3], fuse=False)
    fused = surface_rows(model, x, y, directions, axis, axis, rows=[0, 3], fuse=True)
    assert [(r["i"], r["j"]) for r in fused] == [(r["i"], r["j"]) for r in single]
    for a, b in zip(single, fused):
        assert abs(a["loss"] - b["loss"]) < 1e-5 * max(1.0, a["loss"]) and abs(a["error"] - b["error"]) <= 1 / len(y)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
