import math

import pandas as pd
import pytest
import torch

from resbench.families.lesion.measure import k_grid, kendall_tau, lesion_table, path_gradient_table

from ..models.test_surgery import trained_like


def data(n=64):
    torch.manual_seed(0)
    return torch.randn(n, 1, 8, 8), torch.randint(0, 10, (n,))


def test_kendall_tau_of_block_orders():
    """Identity order 1, reversed -1; one adjacent swap among 4 blocks turns 1 of 6 pairs: (5 - 1) / 6."""
    assert kendall_tau([0, 1, 2, 3]) == 1.0 and kendall_tau([3, 2, 1, 0]) == -1.0
    assert kendall_tau([1, 0, 2, 3]) == pytest.approx(4 / 6) and kendall_tau([0]) == 1.0


def test_k_grid_spans_one_to_n():
    assert k_grid(25, 8)[0] == 1 and k_grid(25, 8)[-1] == 25 and len(k_grid(25, 8)) <= 8
    assert k_grid(3, 10) == [1, 2, 3] and k_grid(0, 5) == []


def test_lesion_table_has_every_kind_and_is_reproducible():
    model = trained_like(depth=20)
    x, y = data()
    a = lesion_table(model, x, y, draws=2, seed=0)
    b = lesion_table(model, x, y, draws=2, seed=0)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["kind"]) == {"none", "delete_one", "delete_k", "reorder"}
    assert (a["kind"] == "delete_one").sum() == 9
    assert a[a["kind"] == "delete_one"]["downsampling"].sum() == 2
    assert a[a["kind"] == "delete_k"]["k"].max() == 7
    assert a["test_error"].between(0, 1).all()
    taus = a[a["kind"] == "reorder"]["kendall_tau"]
    assert (taus < 1).all() and (taus > -1).all()


def test_path_table_measures_the_single_path_gradients():
    """Each row's gradient is that of forward_single_path for its k (k = 0 and k = n are single
    paths, computed independently here); the counts are C(n, k)."""
    import torch.nn.functional as F

    from resbench.models.surgery import forward_single_path

    model = trained_like(depth=14)
    x, y = data(16)
    paths = path_gradient_table(model, x, y, samples=2, seed=0)
    n = len(model.blocks)
    assert list(paths["k"]) == list(range(n + 1))
    assert list(paths["n_paths"]) == [math.comb(n, k) for k in range(n + 1)]
    for k, active in ((0, set()), (n, set(range(n)))):
        h = model.stem(x).detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(F.cross_entropy(forward_single_path(model, h, active), y), h)
        expected = grad.flatten(1).norm(dim=1).mean().item()
        assert math.isclose(paths.loc[paths["k"] == k, "grad_norm"].item(), expected, rel_tol=1e-6)
    assert paths.loc[paths["k"] == 0, "grad_norm"].item() != paths.loc[paths["k"] == n, "grad_norm"].item()


def test_plain_nets_have_no_paths_to_unravel():
    x, y = data(8)
    assert len(path_gradient_table(trained_like("plain", 14), x, y, samples=1, seed=0)) == 0


def test_deletion_figure_reads_block_ids_given_back_as_floats():
    """A depth-8 lesion table read from CSV can hold block ids like '0.0' (issue 25: the report crashed)."""
    import matplotlib.pyplot as plt

    from resbench.families.lesion.figures import delete_one

    rows = [{"arch": "resnet", "depth": 8, "seed": 0, "kind": "none", "blocks": None, "test_error": 0.05,
             "downsampling": False}]
    rows += [{"arch": "resnet", "depth": 8, "seed": 0, "kind": "delete_one", "blocks": f"{b}.0", "test_error": 0.06,
              "downsampling": b == 1} for b in range(3)]
    fig = delete_one(pd.DataFrame(rows), [8])
    assert len(fig.axes[0].lines) >= 2
    plt.close(fig)
