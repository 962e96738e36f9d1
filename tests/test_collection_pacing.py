"""reportkit.collection.pacing: the adaptive pacer (time is a parameter: nothing here sleeps)."""
from __future__ import annotations

import pytest

from reportkit.collection.pacing import AdaptivePacer


def test_pacer_settles_just_under_the_measured_limit_and_probes_upwards():
    now = [0.0]
    slept = []
    pacer = AdaptivePacer(increase=1.0, growth=0.05, backoff=0.9, window=2.0, cooldown=1.0,
                          clock=lambda: now[0], sleep=slept.append)
    for _ in range(40):  # 20 req/s for 2 s, unthrottled: never waits
        pacer.wait("k")
        pacer.succeeded("k")
        now[0] += 0.05
    assert pacer.rate("k") is None and not slept
    pacer.throttled("k")
    rate = pacer.rate("k")
    assert rate == pytest.approx(18.0, rel=0.05)  # 0.9 x the 20 req/s that got through
    pacer.throttled("k")
    assert pacer.rate("k") == rate  # a burst of 429s counts once per cooldown
    for _ in range(18):  # one second's worth of successes at that rate
        pacer.succeeded("k")
    assert pacer.rate("k") == pytest.approx(rate + 1.0, rel=0.02)  # probes upwards: +1 req/s per second
    pacer.wait("k")
    pacer.wait("k")
    assert slept and all(s > 0 for s in slept)
    cold = AdaptivePacer(first_rate=2.0, clock=lambda: now[0], sleep=slept.append)
    cold.wait("new")
    cold.throttled("new")  # a 429 on the very first call: start slow, not at zero
    assert cold.rate("new") == 2.0
