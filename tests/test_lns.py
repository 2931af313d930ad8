"""The adversarial generator profile and the large-neighbourhood search (planning/model/lns.py)."""
from __future__ import annotations

from planning.data.generate import generate


def test_adversarial_profile_is_hard_and_standard_unchanged():
    adv = generate(120, seed=3, profile="adversarial")
    std = generate(120, seed=3)
    assert (adv["classes"]["window_start"] != "").all()  # every class windowed
    assert (adv["classes"]["start_date"] == "").all()
    busy = adv["busy"]
    assert len(busy["cadre_id"].unique()) > 2 * len(std["busy"]["cadre_id"].unique())
    assert busy["start_date"].str[5:7].isin(["03", "04", "05"]).all()  # busy springs
    # the standard profile is the default, byte for byte
    again = generate(120, seed=3, profile="standard")
    for name, frame in std.items():
        assert frame.equals(again[name]), name
