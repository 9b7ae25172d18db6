"""swap_victims=clock|random (vmm/zswap/clock.c) on each backend (QEMU/SVM,
Bochs/VMX): the same overcommitted run — a memtest and zipmix beside a hog
of random data, more than guest_mem holds, with a swap disk — with victims
chosen by the clock (the default) and at random, as ESX chooses its swap
victims. Both finish with every page verified, having swapped out and in;
the boot says which choice is in force, and the monitor's `compress` at
zipmix's first mark reports how its victims were found: the clock passing
over recently used pages, or drawn at random. Any other value is an option
error. (`make bench` compares their re-faults: tools/bench, "swap victims".)"""
import pytest
from memvisor import STATUS_OK, STATUS_USAGE, SWAP_RECLAIMED_RE, by_backend

RUN = ('guests=memtest:2M:passes=2,zipmix:4M,hog:6M:ms=100 guest_mem=4M script="compress zipmix 128" '
       "script_at=mark:zipmix:1")
TIMEOUT = {"qemu": 60, "bochs": 120}

VICTIMS_RE = r"^memvisor: zswap: \d+ pages for compressed pages, .*; victims (by the clock|at random) \(swap_victims=(\w+)\)$"
DONE_RES = {
    "memtest": r"^\[vm1:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, mismatches (\d+)$",
    "zipmix": r"^\[vm2:zipmix\] zipmix: verified (\d+) pages, mismatches (\d+)$",
    "hog": r"^\[vm3:hog\] hog: (\d+) rounds over (\d+) pages, (\d+) damaged$",
}
HOW_RE = {
    "clock": r"^monitor: compress vm2: the clock passed over (\d+) recently used pages and took (\d+) ",
    "random": r"^monitor: compress vm2: victims drawn at random \(swap_victims=random\): (\d+) of them recently used$",
}


@pytest.fixture(scope="module")
def runs(backend):
    return {v: backend.boot("256M", f"{RUN} swap_victims={v}", timeout=by_backend(TIMEOUT, backend),
                            run_args=("--swap", "32M"))
            for v in ("clock", "random")}


@pytest.mark.parametrize("victims", ["clock", "random"])
def test_run_finishes_intact_with_either_choice(runs, victims):
    run = runs[victims]
    assert run.status == STATUS_OK, f"expected status {STATUS_OK} (every guest done), seen {run.status}\n{run.describe()}"
    said = run.match(VICTIMS_RE)
    assert said.group(2) == victims, f"expected the boot to say swap_victims={victims}, seen {said.group(0)!r}"
    for name, regex in DONE_RES.items():
        bad = int(run.match(regex).groups()[-1])
        assert bad == 0, f"expected {name} to find 0 bad pages with swap_victims={victims}, seen {bad}"
    run.match(HOW_RE[victims])
    other = "random" if victims == "clock" else "clock"
    assert not run.find(HOW_RE[other]), f"expected no {other} report with swap_victims={victims}\n{run.describe()}"
    outs, ins = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    assert outs > 0 and ins > 0, f"expected pages swapped out and in with swap_victims={victims}, seen {outs}, {ins}"


def test_unknown_victim_choice_is_an_option_error(backend):
    run = backend.boot("64M", "guests=hello:4M swap_victims=lru", timeout=by_backend(TIMEOUT, backend))
    assert run.status == STATUS_USAGE, f"expected status {STATUS_USAGE} (option error), seen {run.status}\n{run.describe()}"
    run.match(r"^memvisor: error: option 'swap_victims': expected clock .* or random ")
    assert not run.find(r"^\[vm\d+:"), f"expected no guest to run after an option error\n{run.describe()}"
