"""The clock's victims offered to sharing first (vmm/zswap/clock.c's share
outlet, vmm/share/scan.c's share_offer()) on each backend (QEMU/SVM,
Bochs/VMX): two twins in less memory than they fill, with sharing's
scanner slowed to a crawl (share_scan_ghz=1), so that most pages are seen
by sharing only when the clock picks them to reclaim. Twin pages the other
VM has (hinted when the clock picked them there) merge instead of being
compressed; the random
unique pages are refused by compression and stay. Both guests verify every
page, the copy-on-write writes of their second phase included, and the
invariant checker passes when each ends."""
import pytest
from memvisor import STATUS_OK, by_backend

RUN = ("guests=twins:4M:wait=200,twins:4M:wait=200 guest_mem=5M share_scan_ghz=1 stats_interval=100")
TIMEOUT = {"qemu": 60, "bochs": 120}
VERIFIED_RE = r"^\[vm{id}:twins\] twins: verified (\d+) pages, checksum 0x[0-9a-f]+, mismatches (\d+)$"


@pytest.fixture(scope="module")
def run(backend):
    return backend.boot("64M", RUN, timeout=by_backend(TIMEOUT, backend))


def last_stats(run, vm_id):
    lines = run.find(rf"^stats: t=\d+ vm=twins id={vm_id} ")
    assert lines, f"no stats line for vm{vm_id}\n{run.describe()}"
    return {k: int(v) for k, v in (kv.split("=") for kv in lines[-1].string.split()[1:]) if v.isdigit()}


def test_both_twins_verify_every_page(run):
    assert run.status == STATUS_OK, f"expected status {STATUS_OK}, seen {run.status}\n{run.describe()}"
    for vm_id in (1, 2):
        pages, bad = map(int, run.match(VERIFIED_RE.format(id=vm_id)).groups())
        assert pages > 0 and bad == 0, f"vm{vm_id}: expected 0 mismatches, seen {bad} of {pages} pages"
        run.match(rf"^memvisor: \[vm{vm_id}:twins\] invariants ok; released \d+ guest frames")


def test_victims_merge_instead_of_being_compressed(run):
    # A twin page of one VM merges when the clock picks it and the other
    # VM's twin of it is already hinted: whichever VM's pages are picked
    # second do the merging, so the count is over both.
    stats = [last_stats(run, vm_id) for vm_id in (1, 2)]
    merged = sum(s["victims_shared"] for s in stats)
    scanned = sum(s["pages_scanned"] for s in stats)
    assert merged > 0, f"expected victims merged by sharing, seen {stats}"
    # Merged victims are shared pages, or were until a copy-on-write.
    assert merged <= sum(s["shared"] + s["cow_breaks"] for s in stats), stats
    # The crawling scanner could not have found them.
    assert merged > scanned, f"victims merged {merged}, pages the scanner looked at {scanned}"


def test_pages_that_do_not_compress_stay_resident(run):
    for vm_id in (1, 2):
        s = last_stats(run, vm_id)
        assert s["compress_rejected"] > 0, f"vm{vm_id}: expected its random pages refused by compression, seen {s}"
