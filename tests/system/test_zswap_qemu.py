"""The compressed swap area under QEMU (AMD SVM + NPT): the mix, the hot set,
the cap and a damaged page, compaction (zswap_checks.py)."""
import pytest
from conftest import boot
from zswap_checks import (CAP_CMDLINE, COMPACT_CMDLINE, MIX_CMDLINE, CapScenario, CompactScenario,
                          MixScenario)


@pytest.fixture(scope="module")
def mix_run():
    return boot("qemu", "iso", "64M", MIX_CMDLINE)


@pytest.fixture(scope="module")
def cap_run():
    return boot("qemu", "iso", "64M", CAP_CMDLINE)


@pytest.fixture(scope="module")
def compact_run():
    return boot("qemu", "iso", "64M", COMPACT_CMDLINE)


class TestZswapMixSvm(MixScenario):
    pass


class TestZswapCapSvm(CapScenario):
    pass


class TestZswapCompactSvm(CompactScenario):
    pass
