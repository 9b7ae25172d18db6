"""scenario=overcommit and scenario=thrash under Bochs/VMX (checks:
overcommit_checks.py). scenario=overcommit takes Bochs about three minutes
on its own — longer than the rest of `make test` on one core — so it runs in
`make soak` (MEMVISOR_SLOW=1), not in `make test`; each technique it
combines has its own Bochs test here (sharing, balloon, zswap, pressure)."""
import os

import pytest
from conftest import boot
from overcommit_checks import OvercommitScenario, ThrashScenario


@pytest.fixture(scope="module")
def overcommit():
    if not os.environ.get("MEMVISOR_SLOW"):
        pytest.skip("scenario=overcommit under Bochs runs in `make soak` (MEMVISOR_SLOW=1)")
    return boot("bochs", "iso", "160M", "scenario=overcommit", cpu="corei7_skylake_x", timeout=400)


@pytest.fixture(scope="module")
def thrash():
    return boot("bochs", "iso", "128M", "scenario=thrash", cpu="corei7_skylake_x", timeout=240)


class TestOvercommitVmx(OvercommitScenario):
    pass


class TestThrashVmx(ThrashScenario):
    pass
