"""The sentence a verdict gives for the parts it could not show says why, at the level each part had."""
from resbench import stats
from resbench.report.verdicts import parts_sentence


def part(p_against: float, high: float = 0.7) -> stats.Decision:
    """A part not shown at alpha (its claim: effect above 1.0), with the given p of the opposite test."""
    return stats.Decision(False, "one-sided", 0.1, -0.5, high, 1.0, 0.98, (5,), p_against=p_against)


def test_a_part_the_interval_excludes_but_its_share_of_alpha_does_not_is_named_as_such():
    sentence = parts_sentence({"near": part(0.03), "wide": part(0.4, high=1.5)})
    near, wide = sentence.split("; ")
    assert "Not shown, not contradicted: near (interval [-0.5, 0.7] against 1 excludes the claimed effect at 90%" in near
    assert "p = 0.03 misses the 2.5% that each of the 2 parts gets" in near
    assert "holds both" not in near
    assert wide.startswith("wide (interval [-0.5, 1.5] against 1 holds both the claimed effect and its opposite)")


def test_a_part_below_its_share_of_alpha_is_contradicted():
    sentence = parts_sentence({"near": part(0.02), "wide": part(0.4, high=1.5)})
    assert "Contradicted by the data: near (interval [-0.5, 0.7] against 1)." in sentence
    assert stats.verdict(part(0.02), part(0.4, high=1.5)) == "not_reproduced"
    assert stats.verdict(part(0.03), part(0.4, high=1.5)) == "inconclusive"
