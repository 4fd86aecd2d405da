"""Standard errors and paired comparisons of accuracies (labsupport.significance)."""

import numpy as np
import pytest
from scipy import stats

from labsupport.significance import accuracy_standard_error, paired_comparison


def test_the_standard_error_is_that_of_a_binomial_proportion():
    rng = np.random.default_rng(0)
    draws = rng.binomial(10_000, 0.99, size=20_000) / 10_000
    assert accuracy_standard_error(0.99, 10_000) == pytest.approx(draws.std(), rel=0.02)


def test_the_paired_comparison_agrees_with_the_per_image_differences():
    rng = np.random.default_rng(1)
    n = 5_000
    right_a, right_b = rng.random(n) < 0.97, rng.random(n) < 0.96
    result = paired_comparison(np.flatnonzero(~right_a), np.flatnonzero(~right_b), n)
    d = right_a.astype(float) - right_b.astype(float)
    assert result.difference == pytest.approx(right_a.mean() - right_b.mean())
    assert result.standard_error == pytest.approx(stats.sem(d))
    assert result.only_a_right == int((right_a & ~right_b).sum())
    assert result.only_b_right == int((right_b & ~right_a).sum())
    discordant = result.only_a_right + result.only_b_right
    expected = stats.binomtest(result.only_a_right, discordant, 0.5).pvalue
    assert result.p_value == pytest.approx(expected)


def test_identical_classifiers_do_not_differ():
    result = paired_comparison([3, 7], [7, 3], n=10)
    assert (result.difference, result.standard_error, result.p_value) == (0.0, 0.0, 1.0)


@pytest.mark.parametrize("wrong_a, fragment", [
    ([10], r"wrong_a must hold image indices in \[0, 10\)"),
    ([-1], r"wrong_a must hold image indices"),
    ([1, 1], "wrong_a lists an image more than once"),
    ([0.5], "wrong_a must hold image indices"),
])
def test_bad_indices_are_refused(wrong_a, fragment):
    with pytest.raises(ValueError, match=fragment):
        paired_comparison(wrong_a, [], n=10)


def test_bad_accuracies_are_refused():
    with pytest.raises(ValueError, match="accuracy=1.5"):
        accuracy_standard_error(1.5, 10)
