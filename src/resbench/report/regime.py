"""A claim's regime: the condition under which its paper's statement is testable at all (the nets train,
the shallow nets have reached their plateau, the baseline leaves room for the published gain, the grid
resolves the structure the paper shows). Each family computes its claims' regimes from the run's own
tables; a claim outside its regime is `inconclusive` whatever its test says, because its data describe
the proxy set-up, not the paper. Criteria come from the papers; those stated after data were seen are
listed in Methods (each family's `regime.CHANGES`). Pure Python; no family is named here."""
from __future__ import annotations

TRAINS = 0.20  # a net "trains" when its error ends below 20%: He et al. 2016b call a CIFAR-10 run above it a failure
DECIDED = ("reproduced", "not_reproduced")


def regime(criterion: str, values: dict, met: bool | None, measured: str, reach: str = "") -> dict:
    """One claim's regime: the criterion in words, the measured values, whether it is met (None: could not
    be measured), the measurement in words, and what would reach it when it is not met."""
    return {"criterion": criterion, "values": values, "met": None if met is None else bool(met),
            "measured": measured, "reach": reach}


def not_measured(criterion: str, why: str) -> dict:
    """The regime of a claim whose tables were not made: stated, not measured."""
    return regime(criterion, {}, None, why)


def within(claim: dict, reg: dict) -> dict:
    """Attach the regime; a decided claim whose regime is not met becomes `inconclusive` ("outside the
    paper's regime"), keeping its numbers as an estimate and what its test alone read in its evidence."""
    out = {**claim, "regime": reg}
    read = claim.get("evidence", {}).get("liberal_test_read") or claim.get("verdict")  # before a liberal rule's withholding
    if reg["met"] is not False or read not in DECIDED:
        return out
    _, _, estimate = claim["sentence"].partition(": ")
    reach = f" What would reach it: {reg['reach']}" if reg["reach"] else ""
    out["evidence"] = {**claim.get("evidence", {}), "outside_regime_test_read": read}
    out["verdict"] = "inconclusive"
    out["sentence"] = (f"Inconclusive: outside the paper's regime ({reg['criterion']}; measured: {reg['measured']}).{reach}"
                       f" The estimate, which decides nothing here: {estimate}")
    return out


def regime_label(reg: dict | None) -> str:
    """The claims table's cell: met / not met / not measured."""
    if not reg or reg.get("met") is None:
        return "not measured"
    return "met" if reg["met"] else "not met"


def in_regimes(claims: list[dict], regs: dict[str, dict]) -> list[dict]:
    """Each claim within its regime (`regs` by claim id: a family gives every claim it decides one)."""
    return [within(c, regs[c["id"]]) for c in claims]
