import pytest
import torch

from resbench.errors import ResbenchError
from resbench.train.device import amp_dtype, select_device, use_channels_last

CPU = torch.device("cpu")


def test_cpu_runs_full_precision_unless_asked():
    assert amp_dtype("auto", CPU) is None and amp_dtype("off", CPU) is None
    assert amp_dtype("bf16", CPU) == torch.bfloat16 and amp_dtype("fp16", CPU) == torch.float16


def test_channels_last_choice():
    assert use_channels_last("auto", CPU) and use_channels_last("on", CPU) and not use_channels_last("off", CPU)


def test_auto_device_matches_cuda_availability():
    assert select_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert select_device("cpu").type == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="the error is for machines without CUDA")
def test_requesting_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ResbenchError, match="no CUDA device"):
        select_device("cuda")


def test_with_several_gpus_the_one_with_most_free_memory_is_chosen(monkeypatch):
    free = {0: 2 * 2**30, 1: 9 * 2**30, 2: 5 * 2**30}
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 3)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda i: (free[i], 80 * 2**30))
    assert select_device("auto") == torch.device("cuda", 1)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert select_device("cuda") == torch.device("cuda", 0)
