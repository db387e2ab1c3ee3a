"""The bench's short measurements: of runs of the same work, the least wall time counts."""

from __future__ import annotations

from bench.run import _least_of, least


def test_the_least_run_counts_and_every_run_is_kept():
    runs = [{"wall_s": 2.1, "requests": 132}, {"wall_s": 1.7, "requests": 132},
            {"wall_s": 3.4, "requests": 132}]
    best = least(runs)
    assert best["wall_s"] == 1.7
    assert best["wall_s_runs"] == [2.1, 1.7, 3.4]
    assert "wall_s_runs" not in runs[1]  # the runs themselves are left as they were


def test_a_failed_round_is_left_out_and_all_failed_is_a_failure():
    assert _least_of([{"error": "boom"}, {"wall_s": 5.0}])["wall_s_runs"] == [5.0]
    assert _least_of([{"error": "boom"}, {"error": "again"}]) == {"error": "boom"}
