"""tools/gdb/memvisor.py — gdb commands that walk memvisor's translation levels.

Loaded by tools/gdb/memvisor.gdb (`make debug`), or by hand from the
repository root:  (gdb) source tools/gdb/memvisor.py

  mv-vms                   the VMs: state, memory, PMAP counts, exits, last CR3
  mv-pmap VM GFN [COUNT]   PMAP entries, beside the nested table's mapping
                           (VM and GFN: gdb expressions too; a gfn_t is gfn.raw)
  mv-walk VM GVA           gva -> gpa (guest tables) -> mpa (PMAP and NPT/EPT)
  mv-stats                 per-VM statistics and free machine frames
  mv-guest-symbols NAME..  add a guest's symbols (read the note in `help`)
  $mv_in_host()            1 when the CPU is stopped in memvisor, else 0

The three address levels (docs/memory-words.md):

      gva ──guest's own page tables (CR3, a gpa)──► gpa ──PMAP (the truth)──► mpa
                                                        ╲─NPT / EPT (a cache)─╱

Everything is read from kernel memory through gdb (QEMU's gdb stub). The
stub translates addresses with the page tables the CPU has loaded *now*, so
these commands work only while the CPU is stopped in memvisor itself: host
virtual addresses (the kernel image at 1 MiB, and the direct map at
DIRECT_MAP_BASE + mpa through which every machine frame is read) do not
exist inside a guest. Each command checks this first and says what to do.
"""

import functools
import struct
import sys
from pathlib import Path

import gdb

# ---------------------------------------------------------------- constants
# The ELF's debug info has the types and enums but not the #defines, so the
# few constants the walks need are mirrored here, each naming its header.

PAGE_SHIFT = 12                          # kernel/types.h
PAGE_SIZE = 1 << PAGE_SHIFT
DIRECT_MAP_BASE = 0xffff800000000000     # kernel/mmu.h: mpa X is at this + X
ADDR_MASK = 0x000ffffffffff000           # kernel/mmu.h PTE_ADDR_MASK, bits 51:12
PT_ENTRIES = 512                         # kernel/mmu.h
PT_INDEX_MASK = PT_ENTRIES - 1
ENTRY_BYTES = 8

PMAP_STATE_MASK = 0xf                    # vmm/mm/pmap.h
PMAP_MFN_MASK = 0x000ffffffffff000
PMAP_HANDLE_SHIFT = 4

# x86-64 paging entry bits (SDM Vol. 3A 4.5, tables 4-15 to 4-20; also AMD's
# nested page tables, APM Vol. 2 15.25).
PTE_PRESENT = 1 << 0
PTE_WRITE = 1 << 1
PTE_USER = 1 << 2
PTE_PS = 1 << 7                          # PDPTE/PDE: 1 GiB / 2 MiB page
PTE_NX = 1 << 63
PTE_FLAG_NAMES = [(0, "P"), (1, "W"), (2, "U"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"),
                  (7, "PS"), (8, "G"), (63, "NX")]
PTE_LEAF_FLAG_NAMES = [(b, "PAT" if b == 7 else n) for b, n in PTE_FLAG_NAMES]

# EPT entry bits (SDM Vol. 3C 29.3.2): present = any of R, W, X.
EPT_READ, EPT_WRITE, EPT_EXEC = 1 << 0, 1 << 1, 1 << 2
EPT_RWX = EPT_READ | EPT_WRITE | EPT_EXEC
EPT_PS = 1 << 7
EPT_MEMTYPE_SHIFT, EPT_MEMTYPE_MASK = 3, 0x7
EPT_MEMTYPES = {0: "UC", 1: "WC", 4: "WT", 5: "WP", 6: "WB"}
EPT_FLAG_NAMES = [(0, "R"), (1, "W"), (2, "X"), (6, "IPAT"), (7, "PS"), (8, "A"), (9, "D"),
                  (10, "XU")]

# The four levels of a walk: entry name, index shift, size a leaf maps there.
LEVELS = [("PML4E", 39, None), ("PDPTE", 30, 1 << 30), ("PDE", 21, 1 << 21), ("PTE", 12, 1 << 12)]
NEXT_TABLE = {"PML4E": "PDPT", "PDPTE": "PD", "PDE": "PT"}
TABLE_NAMES = ["PML4", "PDPT", "PD", "PT"]

CANONICAL_BITS = 48
PMAP_ROWS_MAX = 4096                     # mv-pmap rows per command
HOST_HINT = ("Stop the CPU in memvisor after boot, e.g. `hbreak exit_dispatch` then "
             "`continue` (every guest exit passes there).")


# gdb's `source` runs this file without setting __file__; its code object
# still knows where it came from.
SCRIPT_PATH = Path(sys._getframe().f_code.co_filename)


def repo_root():
    """The checkout: above build/ of the loaded kernel, else above tools/gdb/."""
    kernel = gdb.current_progspace().filename
    if kernel and Path(kernel).parent.name == "build":
        return Path(kernel).resolve().parent.parent
    if SCRIPT_PATH.is_file():
        return SCRIPT_PATH.resolve().parents[2]
    return Path.cwd()


# ---------------------------------------------------------------- reading memory

def read_bytes(vaddr, size):
    """size bytes at a host virtual address, or a gdb error naming the address."""
    try:
        return bytes(gdb.selected_inferior().read_memory(vaddr, size))
    except gdb.MemoryError:
        raise gdb.GdbError(f"cannot read {size} bytes at host virtual address {vaddr:#x}. "
                           + HOST_HINT) from None


def read_u64(vaddr):
    return struct.unpack("<Q", read_bytes(vaddr, ENTRY_BYTES))[0]


def read_u64s(vaddr, count):
    return list(struct.unpack(f"<{count}Q", read_bytes(vaddr, count * ENTRY_BYTES)))


def read_mpa_u64(mpa):
    """The 64-bit word at machine address mpa, through the kernel's direct map."""
    return read_u64(DIRECT_MAP_BASE + mpa)


class TableCache:
    """Reads whole 4 KiB tables once per command (a range of gfns shares them)."""

    def __init__(self):
        self.tables = {}

    def entry(self, table_mpa, index):
        if table_mpa not in self.tables:
            self.tables[table_mpa] = read_u64s(DIRECT_MAP_BASE + table_mpa, PT_ENTRIES)
        return self.tables[table_mpa][index]


# ---------------------------------------------------------------- where the CPU is

def register(name):
    """A register of the innermost frame as an int, or None if the stub has none."""
    try:
        return int(gdb.newest_frame().read_register(name)) & (2**64 - 1)
    except (ValueError, gdb.error):
        return None


def symbol_address(name):
    sym = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError(f"no symbol '{name}': load the kernel's symbols "
                           f"(`file build/memvisor.elf`)")
    return int(sym.value().address)


def host_problem():
    """None when the CPU is stopped in memvisor with its page tables loaded;
    otherwise why the mv-* commands cannot read kernel memory now."""
    inferior = gdb.selected_inferior()
    if inferior.pid == 0 or not inferior.threads():
        return ("not connected to a running memvisor: start QEMU halted (`tools/run --gdb`) and "
                "`target remote :1234` (make debug does both)")
    try:
        gdb.newest_frame()
    except gdb.error:
        return "the target has no frame to read: is it running? Interrupt it with Ctrl-C."
    # 1. The kernel's data must read the same through its identity map
    #    (the image runs at va = mpa) and through the direct map.
    probe = symbol_address("vm_count")
    try:
        low = bytes(inferior.read_memory(probe, ENTRY_BYTES))
        high = bytes(inferior.read_memory(DIRECT_MAP_BASE + probe, ENTRY_BYTES))
    except gdb.MemoryError:
        low = high = None
    if low is None or low != high:
        where = f" (pc {register('pc'):#x})" if register("pc") is not None else ""
        return (f"the hypervisor's direct map (DIRECT_MAP_BASE + mpa) is not readable{where}: "
                f"the CPU is stopped inside a guest, whose page tables are loaded, or before "
                f"the kernel set up its own (paging_init). " + HOST_HINT)
    # 2. With control registers from the stub, CR3 must be the kernel's.
    cr3 = register("cr3")
    if cr3 is not None:
        kernel_pml4 = int(gdb.parse_and_eval("kernel_pml4")["raw"])   # kernel/paging.c, an mfn
        if kernel_pml4 == 0:
            return ("the kernel has not built its own page tables yet (kernel_pml4 is 0: "
                    "paging_init has not run), so its direct map is not complete. " + HOST_HINT)
        if (cr3 & ADDR_MASK) != kernel_pml4 << PAGE_SHIFT:
            return (f"CR3 is {cr3:#x}, not memvisor's page tables (kernel_pml4 at mpa "
                    f"{kernel_pml4 << PAGE_SHIFT:#x}): the CPU is stopped inside a guest or "
                    f"early in boot. " + HOST_HINT)
    return None


def require_host():
    problem = host_problem()
    if problem:
        raise gdb.GdbError(f"memvisor: {problem}")


# ---------------------------------------------------------------- names from the debug info

@functools.lru_cache(maxsize=None)
def enum_names(type_name, prefix):
    """[(value, name)] of a C enum, without prefix and the *_COUNT entry,
    lower case with '-' for '_': the spelling the kernel's own messages use
    (pmap_state_name(), exit_reason_name())."""
    names = []
    for field in gdb.lookup_type(type_name).fields():
        if field.name.endswith("_COUNT"):
            continue
        short = field.name[len(prefix):] if field.name.startswith(prefix) else field.name
        names.append((field.enumval, short.lower().replace("_", "-")))
    return tuple(names)


def enum_name(type_name, value):
    """The C name of an enum value (e.g. VM_RUNNABLE), or the number."""
    for field in gdb.lookup_type(type_name).fields():
        if field.enumval == value:
            return field.name
    return f"{value} (not a {type_name})"


def pmap_state_name(state):
    return dict(enum_names("enum pmap_state", "PMAP_")).get(state, f"invalid({state})")


# ---------------------------------------------------------------- VMs

class Vm:
    """One struct vm, read once; fields as Python ints and strings."""

    def __init__(self, value):
        self.value = value
        self.id = int(value["id"])
        self.name = value["name"].string(length=int(value["name"].type.sizeof)).split("\0")[0]
        self.mem_bytes = int(value["mem_bytes"])
        self.state = int(value["state"])
        self.pmap_entries = int(value["pmap"]["entries"])
        self.npages = int(value["pmap"]["npages"])
        self.npt_root = int(value["npt"]["root"]["raw"])
        self.npt_frames = int(value["npt"]["table_frames"])
        self.last_cr3 = int(value["vcpu"]["last_cr3"])

    def state_text(self):
        """VM_RUNNABLE, ...; and whether its memory is gone already."""
        text = enum_name("enum vm_state", self.state)
        return text if self.pmap_entries else f"{text} (memory released)"

    @property
    def label(self):
        return f"vm{self.id} ({self.name})"

    def require_pmap(self):
        if not self.pmap_entries:
            raise gdb.GdbError(f"{self.label} has no PMAP any more: it ended and memvisor "
                               f"released its memory (release_vm). Stop earlier, e.g. "
                               f"`hbreak vm_finish`.")


def all_vms():
    """The VMs memvisor has created so far (vms[0 .. vm_count-1])."""
    count = int(gdb.parse_and_eval("vm_count"))
    array = gdb.parse_and_eval("vms")
    capacity = array.type.range()[1] + 1
    if count > capacity:
        raise gdb.GdbError(f"vm_count is {count}, more than vms[] holds ({capacity}): "
                           f"memory does not look like memvisor's. " + HOST_HINT)
    return [Vm(array[i]) for i in range(count)]


def vm_id_of(spec):
    """The VM id a gdb expression gives: a number (vm_id, $v), a struct vm or
    a pointer to one (vm, &vms[1]); None when it is none of these."""
    try:
        value = gdb.parse_and_eval(spec)
        kind = value.type.strip_typedefs()
        if kind.code == gdb.TYPE_CODE_PTR and kind.target().strip_typedefs().tag == "vm":
            value, kind = value.dereference(), kind.target().strip_typedefs()
        if kind.code == gdb.TYPE_CODE_STRUCT:
            return int(value["id"]) if kind.tag == "vm" else None
        return int(value)
    except (gdb.error, gdb.MemoryError):
        return None


def find_vm(spec):
    """A VM by id (`1`, `vm1`), by name (`memtest`), or by any gdb
    expression that gives its id or its struct vm (`vm_id`, `vm->id`, `vm`)."""
    vms = all_vms()
    if not vms:
        raise gdb.GdbError("memvisor has no VMs yet: they are created in vmm_run(); "
                           "try `hbreak exit_dispatch` and `continue`")
    text = spec[2:] if spec.startswith("vm") and spec[2:].isdigit() else spec
    for vm in vms:
        if (text.isdigit() and vm.id == int(text)) or vm.name == spec:
            return vm
    known = ", ".join(f"{vm.id} ({vm.name})" for vm in vms)
    wanted = vm_id_of(spec)
    if wanted is not None:
        for vm in vms:
            if vm.id == wanted:
                return vm
        raise gdb.GdbError(f"'{spec}' is VM id {wanted}: there is no such VM; the VMs are {known}")
    raise gdb.GdbError(f"no VM '{spec}': the VMs are {known} (or an expression giving an id or a "
                       f"struct vm, e.g. vm->id)")


def number(text, what):
    """An integer argument: any gdb expression (0x2f5, 1000, $mv_gfn, gfn.raw, ...).
    gfn_t and mfn_t are one-field structs in C: write .raw for the number."""
    try:
        value = gdb.parse_and_eval(text)
    except gdb.error as e:
        raise gdb.GdbError(f"{what} '{text}' is not a number: {e}") from None
    kind = value.type.strip_typedefs()
    if kind.code == gdb.TYPE_CODE_STRUCT:
        fields = [f.name for f in kind.fields()]
        hint = f": write {text}.raw" if "raw" in fields else ""
        raise gdb.GdbError(f"{what} '{text}' is a {value.type}, not a number{hint}")
    try:
        return int(value) & (2**64 - 1)
    except gdb.error as e:
        raise gdb.GdbError(f"{what} '{text}' is not a number: {e}") from None


# ---------------------------------------------------------------- the PMAP

class PmapEntry:
    def __init__(self, gfn, raw):
        self.gfn = gfn
        self.raw = raw
        self.state = raw & PMAP_STATE_MASK
        self.state_name = pmap_state_name(self.state)
        self.has_frame = self.state_name in ("private", "shared")
        self.mfn = (raw & PMAP_MFN_MASK) >> PAGE_SHIFT if self.has_frame else None
        self.handle = raw >> PMAP_HANDLE_SHIFT if self.state_name == "compressed" else None

    def where(self):
        if self.has_frame:
            return f"mfn {self.mfn:#x}"
        if self.handle is not None:
            return f"handle {self.handle:#x}"
        return "-"


def pmap_entries(vm, gfn, count):
    """PmapEntry for gfn .. gfn+count-1 (the caller keeps them below npages)."""
    vm.require_pmap()
    raws = read_u64s(vm.pmap_entries + gfn * ENTRY_BYTES, count)
    return [PmapEntry(gfn + i, raw) for i, raw in enumerate(raws)]


def pmap_lookup(vm, gpa):
    """(PmapEntry, mpa or None) for a gpa; GdbError when outside the VM."""
    gfn = gpa >> PAGE_SHIFT
    if gfn >= vm.npages:
        raise gdb.GdbError(f"gpa {gpa:#x} lies outside {vm.label}'s "
                           f"{vm.mem_bytes // 1024} KiB of memory")
    entry = pmap_entries(vm, gfn, 1)[0]
    mpa = (entry.mfn << PAGE_SHIFT) | (gpa & (PAGE_SIZE - 1)) if entry.has_frame else None
    return entry, mpa


# ---------------------------------------------------------------- nested tables

class NestedFormat:
    """How one backend writes nested-table entries (vmm/svm/npt.c, vmm/vmx/ept.c)."""

    def __init__(self, backend_name):
        self.backend = backend_name
        self.ept = backend_name == "vmx"
        self.title = ("EPT (Intel; bits 2:0 = R/W/X)" if self.ept
                      else "NPT (AMD; ordinary x86-64 page-table entries)")
        self.prefix = "EPT " if self.ept else "n"

    def present(self, entry):
        return bool(entry & (EPT_RWX if self.ept else PTE_PRESENT))

    def large(self, entry):
        return bool(entry & (EPT_PS if self.ept else PTE_PS))

    def rights(self, entry):
        """'rwx'-style access a leaf grants the guest."""
        if self.ept:
            return "".join(c if entry & bit else "-"
                           for c, bit in (("r", EPT_READ), ("w", EPT_WRITE), ("x", EPT_EXEC)))
        if not entry & PTE_PRESENT:
            return "---"
        return "r" + ("w" if entry & PTE_WRITE else "-") + ("-" if entry & PTE_NX else "x")

    def flags(self, entry, leaf):
        if self.ept:
            text = flag_names(entry, EPT_FLAG_NAMES)
            if leaf and entry & EPT_RWX:
                memtype = (entry >> EPT_MEMTYPE_SHIFT) & EPT_MEMTYPE_MASK
                text += f" MT={EPT_MEMTYPES.get(memtype, memtype)}"
            return text
        return flag_names(entry, PTE_LEAF_FLAG_NAMES if leaf else PTE_FLAG_NAMES)


def nested_format():
    pointer = gdb.parse_and_eval("backend")
    if int(pointer) == 0:
        raise gdb.GdbError("no virtualisation backend chosen yet (backend == NULL): "
                           "vmm_detect() runs during boot; continue further")
    return NestedFormat(pointer["name"].string())


def flag_names(entry, names):
    return " ".join(n for bit, n in names if entry & (1 << bit)) or "-"


class Step:
    """One level of a nested walk: which entry of which table, and what it says."""

    def __init__(self, level, index, table_mpa, entry, flags, note):
        self.level, self.index, self.table_mpa = level, index, table_mpa
        self.entry, self.flags, self.note = entry, flags, note


def nested_walk(vm, fmt, gpa, cache):
    """Walk vm's nested tables for gpa. Returns (steps, mpa or None, leaf entry or None)."""
    if not vm.npt_frames:
        return [], None, None
    table = vm.npt_root << PAGE_SHIFT
    steps = []
    for level, shift, size in LEVELS:
        index = (gpa >> shift) & PT_INDEX_MASK
        entry = cache.entry(table, index)
        leaf = level == "PTE" or (level != "PML4E" and fmt.large(entry))
        flags = fmt.flags(entry, leaf)
        if not fmt.present(entry):
            steps.append(Step(level, index, table, entry, flags, "not present"))
            return steps, None, None
        if leaf:
            frame = entry & ADDR_MASK & ~(size - 1)
            steps.append(Step(level, index, table, entry, flags,
                              f"{size_text(size)} frame at mpa {frame:#x}"))
            return steps, frame | (gpa & (size - 1)), entry
        next_table = entry & ADDR_MASK
        steps.append(Step(level, index, table, entry, flags,
                          f"{NEXT_TABLE[level]} at mpa {next_table:#x}"))
        table = next_table
    return steps, None, None


def verdict(pmap_mpa, npt_mpa, entry, npt_leaf, fmt):
    """Does the cache (NPT/EPT) agree with the truth (PMAP)? One short phrase."""
    if pmap_mpa is None and npt_mpa is None:
        return "agree (neither maps it)"
    if pmap_mpa is None:
        return (f"DISAGREE: the nested tables map it, the PMAP says {entry.state_name} "
                f"(a stale cache entry)")
    if npt_mpa is None:
        return "agree (not cached: the next access faults and memvisor maps it from the PMAP)"
    if npt_mpa >> PAGE_SHIFT != pmap_mpa >> PAGE_SHIFT:
        return f"DISAGREE: PMAP mfn {pmap_mpa >> PAGE_SHIFT:#x}, nested tables mfn {npt_mpa >> PAGE_SHIFT:#x}"
    if entry.state_name == "shared" and "w" in fmt.rights(npt_leaf):
        return "DISAGREE: a shared frame must be mapped read-only (copy-on-write)"
    return "agree"


def size_text(size):
    return f"{size >> 30} GiB" if size >= 1 << 30 else (
        f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB")


# ---------------------------------------------------------------- printing

def table(headers, rows, right=()):
    """Columns padded to their widest cell; `right` names right-aligned columns."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    lines = []
    for row in [list(headers)] + rows:
        cells = [c.rjust(w) if headers[i] in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def write(text=""):
    gdb.write(text + ("" if text.endswith("\n") else "\n"))


def parse_args(arg, minimum, maximum, usage):
    argv = gdb.string_to_argv(arg)
    if not minimum <= len(argv) <= maximum:
        raise gdb.GdbError(f"usage: {usage}")
    return argv


# ---------------------------------------------------------------- commands

class MvVms(gdb.Command):
    """List memvisor's VMs: id, name, state, memory, PMAP entries per state,
exits per reason, and the guest's CR3 at its last exit.

Usage: mv-vms

Read from the kernel's vms[] and vm_count (vmm/vm.h). The PMAP columns count
guest frames in each state (vmm/mm/pmap.h); their sum is the VM's memory in
pages. last_cr3 is the root of the guest's own page tables, a gpa: the
start of `mv-walk`. The CPU must be stopped in memvisor (e.g. at
`hbreak exit_dispatch`), not inside a guest."""

    def __init__(self):
        super().__init__("mv-vms", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        parse_args(arg, 0, 0, "mv-vms")
        require_host()
        vms = all_vms()
        if not vms:
            write("memvisor: no VMs yet (vmm_run() creates them from guests=)")
            return
        fmt = nested_format()
        write(f"memvisor: {len(vms)} VM{'s' if len(vms) != 1 else ''}, backend {fmt.backend}, "
              f"nested tables: {fmt.title}")
        states = enum_names("enum pmap_state", "PMAP_")
        reasons = enum_names("enum exit_reason", "EXIT_")
        write(table(["id", "name", "state", "memory", "last_cr3"],
                    [[vm.id, vm.name, vm.state_text(),
                      f"{vm.mem_bytes // 1024} KiB", f"{vm.last_cr3:#x}"] for vm in vms],
                    right={"id", "memory"}))
        write("PMAP entries per state")
        write(table(["id"] + [n for _, n in states],
                    [[vm.id] + [int(vm.value["pmap"]["count"][v]) for v, _ in states]
                     for vm in vms],
                    right={"id"} | {n for _, n in states}))
        write("exits per reason")
        write(table(["id"] + [n for _, n in reasons],
                    [[vm.id] + [int(vm.value["vcpu"]["exits"][v]) for v, _ in reasons]
                     for vm in vms],
                    right={"id"} | {n for _, n in reasons}))


class MvPmap(gdb.Command):
    """Show PMAP entries of a VM, and whether the nested tables agree.

Usage: mv-pmap VM GFN [COUNT]
  VM     a VM id (1, vm1) or name (memtest), as `mv-vms` lists them, or any
         gdb expression giving an id or a struct vm (vm_id, vm->id, vm)
  GFN    a guest frame number: any gdb expression (0x2f5, $mv_gfn); a gfn_t
         variable is a struct in C: write gfn.raw
  COUNT  how many gfns from GFN on (default 1)

For each gfn: the PMAP entry (vmm/mm/pmap.h) — its state and, for a private
or shared frame, the mfn (for a compressed one, the swap-area handle) —
then the nested table's current mapping for the gfn (NPT on AMD SVM, EPT on
Intel VMX; the walk starts at vm->npt.root and reads each table through the
direct map), the rights it grants, and a verdict. The PMAP is the truth and
the nested tables a cache: "not cached" is normal, a different frame is a
bug. The CPU must be stopped in memvisor, not inside a guest."""

    def __init__(self):
        super().__init__("mv-pmap", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = parse_args(arg, 2, 3, "mv-pmap VM GFN [COUNT]")
        require_host()
        vm = find_vm(argv[0])
        vm.require_pmap()
        gfn = number(argv[1], "GFN")
        count = number(argv[2], "COUNT") if len(argv) > 2 else 1
        if gfn >= vm.npages:
            raise gdb.GdbError(f"gfn {gfn:#x} lies outside {vm.label}: its gfns are "
                               f"0..{vm.npages - 1:#x} ({vm.mem_bytes // 1024} KiB)")
        if count < 1:
            raise gdb.GdbError("COUNT must be at least 1")
        shown = min(count, vm.npages - gfn, PMAP_ROWS_MAX)
        fmt = nested_format()
        write(f"{vm.label}: PMAP entries for gfn {gfn:#x}..{gfn + shown - 1:#x} "
              f"(of 0..{vm.npages - 1:#x}); nested tables: {fmt.title}")
        cache = TableCache()
        rows = []
        for entry in pmap_entries(vm, gfn, shown):
            pmap_mpa = entry.mfn << PAGE_SHIFT if entry.has_frame else None
            _, npt_mpa, leaf = nested_walk(vm, fmt, entry.gfn << PAGE_SHIFT, cache)
            rows.append([f"{entry.gfn:#x}", f"{entry.gfn << PAGE_SHIFT:#x}", f"{entry.raw:#x}",
                         entry.state_name, entry.where(),
                         f"{leaf:#018x}" if leaf is not None else "not present",
                         f"{npt_mpa >> PAGE_SHIFT:#x}" if npt_mpa is not None else "-",
                         fmt.rights(leaf) if leaf is not None else "-",
                         verdict(pmap_mpa, npt_mpa, entry, leaf, fmt)])
        write(table(["gfn", "gpa", "PMAP raw", "state", "mfn/handle", "nested leaf",
                     "nested mfn", "rights", "PMAP vs nested"], rows))
        if shown < count:
            write(f"(showed {shown} of the {count} asked for: the VM ends at gfn "
                  f"{vm.npages - 1:#x}, and one command shows at most {PMAP_ROWS_MAX})")


class MvWalk(gdb.Command):
    """Translate a guest virtual address step by step: gva -> gpa -> mpa.

Usage: mv-walk VM GVA
  VM   a VM id (1, vm1) or name (memtest), or a gdb expression giving an id
       or a struct vm (vm_id, vm->id, vm)
  GVA  a guest virtual address: any gdb expression (0x400000000000)

1. gva -> gpa through the guest's own 4-level page tables (SDM Vol. 3A
   4.5), starting at the VM's CR3 as of its last exit (vcpu.last_cr3, a
   gpa). Each guest table is a guest frame: its gpa is translated to an
   mpa through the PMAP (the truth, not the nested tables, which are only
   a cache) and read at DIRECT_MAP_BASE + mpa. Every level is printed:
   entry name and index, the entry, its flags and the next gpa. A 1 GiB or
   2 MiB page (PS) ends the walk early; a not-present entry stops it, and
   the line says at which level.
2. gpa -> mpa through the PMAP, and through the nested tables (NPT/EPT,
   level by level), and whether the two agree.

Afterwards $mv_gpa, $mv_gfn and $mv_mpa hold the result (e.g. for
`mv-pmap VM $mv_gfn`, or `x/4gx 0xffff800000000000 + $mv_mpa`).
The CPU must be stopped in memvisor, not inside a guest."""

    def __init__(self):
        super().__init__("mv-walk", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = parse_args(arg, 2, 2, "mv-walk VM GVA")
        require_host()
        vm = find_vm(argv[0])
        vm.require_pmap()
        gva = number(argv[1], "GVA")
        for name in ("mv_gpa", "mv_gfn", "mv_mpa"):
            gdb.set_convenience_variable(name, None)
        fmt = nested_format()
        write(f"{vm.label}: walk gva {gva:#x}")
        gpa = self.guest_walk(vm, gva)
        if gpa is None:
            return
        self.machine(vm, fmt, gva, gpa)

    @staticmethod
    def guest_walk(vm, gva):
        """gva -> gpa through the guest's tables; prints each level. None if it stops."""
        top = gva >> (CANONICAL_BITS - 1)
        if top not in (0, (1 << (64 - CANONICAL_BITS + 1)) - 1):
            write(f"walk stops before PML4E: gva {gva:#x} is not canonical (bits 63:47 differ); "
                  f"a guest access raises #GP, no table is read")
            return None
        cr3 = vm.last_cr3
        indexes = ", ".join(f"{table_name} {(gva >> shift) & PT_INDEX_MASK}"
                            for table_name, (_, shift, _) in zip(TABLE_NAMES, LEVELS))
        write(f"guest page tables: root CR3 {cr3:#x} (a gpa; the CR3 of {vm.label}'s last exit)")
        write(f"gva {gva:#x}: index {indexes}, offset {gva & (PAGE_SIZE - 1):#x}")
        if not cr3 & ADDR_MASK:
            write("walk stops before PML4E: CR3 is 0, the guest has not loaded page tables yet "
                  "(it starts with paging off, where gva = gpa)")
            return None
        table_gpa = cr3 & ADDR_MASK
        rows, result, stop = [], None, None
        for level, shift, size in LEVELS:
            index = (gva >> shift) & PT_INDEX_MASK
            if table_gpa >> PAGE_SHIFT >= vm.npages:
                stop = (f"walk stops at {level}: its table's gpa {table_gpa:#x} lies outside "
                        f"the VM's {vm.mem_bytes // 1024} KiB (the CPU would report a nested "
                        f"page fault)")
                break
            entry_info, table_mpa = pmap_lookup(vm, table_gpa)
            if table_mpa is None:
                stop = (f"walk stops at {level}: the table at gpa {table_gpa:#x} is "
                        f"{entry_info.state_name} in the PMAP, so it is in no machine frame "
                        f"(an untouched frame would read as zeros: not present)")
                break
            entry = read_mpa_u64(table_mpa + index * ENTRY_BYTES)
            present = entry & PTE_PRESENT
            leaf = present and (level == "PTE" or (level != "PML4E" and entry & PTE_PS))
            flags = flag_names(entry, PTE_LEAF_FLAG_NAMES if level == "PTE" else PTE_FLAG_NAMES)
            row = [level, index, f"{table_gpa:#x}", f"{table_mpa:#x}", f"{entry:#018x}", flags]
            if not present:
                rows.append(row + ["not present"])
                stop = (f"walk stops at {level} (index {index}): entry {entry:#x} is not present "
                        f"(P=0): the guest has not mapped gva {gva:#x}; a guest access raises #PF")
                break
            if leaf:
                frame = entry & ADDR_MASK & ~(size - 1)
                result = frame | (gva & (size - 1))
                rows.append(row + [f"{size_text(size)} page at gpa {frame:#x}"])
                break
            table_gpa = entry & ADDR_MASK
            rows.append(row + [f"{NEXT_TABLE[level]} at gpa {table_gpa:#x}"])
        if rows:
            write(table(["level", "index", "table gpa", "table mpa (PMAP)", "entry", "flags",
                         "next"], rows, right={"index"}))
        if stop:
            write(stop)
            return None
        write(f"guest tables: gva {gva:#x} -> gpa {result:#x}")
        return result

    @staticmethod
    def machine(vm, fmt, gva, gpa):
        """gpa -> mpa through the PMAP and through the nested tables; prints both."""
        gfn = gpa >> PAGE_SHIFT
        if gfn >= vm.npages:
            write(f"gpa {gpa:#x} lies outside {vm.label}'s {vm.mem_bytes // 1024} KiB: "
                  f"a guest access is a nested page fault and memvisor stops the VM")
            return
        entry, pmap_mpa = pmap_lookup(vm, gpa)
        gdb.set_convenience_variable("mv_gpa", gpa)
        gdb.set_convenience_variable("mv_gfn", gfn)
        if pmap_mpa is None:
            write(f"PMAP: gpa {gpa:#x} (gfn {gfn:#x}) is {entry.state_name} ({entry.where()}): "
                  f"no machine frame; the next guest access faults into memvisor")
        else:
            gdb.set_convenience_variable("mv_mpa", pmap_mpa)
            write(f"PMAP: gpa {gpa:#x} (gfn {gfn:#x}) -> {entry.state_name} mfn "
                  f"{entry.mfn:#x} -> mpa {pmap_mpa:#x}")
        steps, npt_mpa, leaf = nested_walk(vm, fmt, gpa, TableCache())
        write(f"nested tables: {fmt.title}, root at mpa {vm.npt_root << PAGE_SHIFT:#x}")
        if steps:
            write(table(["level", "index", "table mpa", "entry", "flags", "next"],
                        [[fmt.prefix + s.level, s.index, f"{s.table_mpa:#x}", f"{s.entry:#018x}",
                          s.flags, s.note] for s in steps], right={"index"}))
        if npt_mpa is None:
            level = fmt.prefix + steps[-1].level if steps else "the root"
            write(f"nested: gpa {gpa:#x} (gfn {gfn:#x}) is not mapped (walk stops at {level})")
        else:
            write(f"nested: gpa {gpa:#x} (gfn {gfn:#x}) -> mpa {npt_mpa:#x} "
                  f"(rights {fmt.rights(leaf)})")
        write(f"PMAP vs nested: {verdict(pmap_mpa, npt_mpa, entry, leaf, fmt)}")
        if pmap_mpa is not None:
            write(f"result: gva {gva:#x} -> gpa {gpa:#x} -> mpa {pmap_mpa:#x}")


class MvStats(gdb.Command):
    """Show memvisor's memory statistics: free machine frames, and per VM
its struct vm_stats (vmm/vm.h), nested-table frames and exits per reason.

Usage: mv-stats

Machine frames come from machine_frames (kernel/frames.h): `usable` is the
RAM the allocator manages, `free` what is left of it. The CPU must be
stopped in memvisor, not inside a guest."""

    def __init__(self):
        super().__init__("mv-stats", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        parse_args(arg, 0, 0, "mv-stats")
        require_host()
        frames = gdb.parse_and_eval("machine_frames")
        free, usable = int(frames["free"]), int(frames["usable"])
        write(f"machine frames: {free} free of {usable} usable "
              f"({free * PAGE_SIZE >> 10} KiB of {usable * PAGE_SIZE >> 10} KiB)")
        vms = all_vms()
        if not vms:
            write("no VMs yet")
            return
        stat_fields = [f.name for f in gdb.lookup_type("struct vm_stats").fields()]
        reasons = enum_names("enum exit_reason", "EXIT_")
        rows = [["state"] + [vm.state_text() for vm in vms],
                ["memory KiB"] + [vm.mem_bytes // 1024 for vm in vms],
                ["nested table frames"] + [vm.npt_frames for vm in vms]]
        rows += [[name] + [int(vm.value["stats"][name]) for vm in vms] for name in stat_fields]
        rows += [[f"exits {n}"] + [int(vm.value["vcpu"]["exits"][v]) for vm in vms]
                 for v, n in reasons]
        headers = ["stat"] + [f"vm{vm.id} {vm.name}" for vm in vms]
        write(table(headers, rows, right=set(headers[1:])))


class MvGuestSymbols(gdb.Command):
    """Add a guest's symbols to gdb: mv-guest-symbols NAME|FILE...

NAME is a guest in build/guests/ (hello, memtest, ...); FILE a path to an ELF.
Runs `add-symbol-file` for each.

Note the overlap: guests are linked at gpa 1 MiB and run with gva = gpa
there, and memvisor's own image also sits at 1 MiB. The same low addresses
then name a kernel function and a guest function, so gdb may print either
name, and a breakpoint there fires in whichever runs that address — the host
or a guest. Load guest symbols only while you need them, remove them again
with `remove-symbol-file FILE`, and make breakpoints conditional on where the
CPU is: `hbreak main if !$mv_in_host()`, `hbreak vm_finish if $mv_in_host()`."""

    def __init__(self):
        super().__init__("mv-guest-symbols", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        guests = repo_root() / "build" / "guests"
        if not argv:
            known = " ".join(sorted(p.stem for p in guests.glob("*.elf"))) or "(none built)"
            raise gdb.GdbError(f"usage: mv-guest-symbols NAME|FILE...; guests: {known}")
        for name in argv:
            path = Path(name) if ("/" in name or name.endswith(".elf")) else guests / f"{name}.elf"
            if not path.is_file():
                raise gdb.GdbError(f"no guest ELF {path} (build it with `make`)")
            gdb.execute(f"add-symbol-file {path}", from_tty=False, to_string=not from_tty)
            write(f"memvisor: added {path.name}'s symbols; they overlap the kernel's at 1 MiB "
                  f"(see `help mv-guest-symbols`)")


class MvInHost(gdb.Function):
    """$mv_in_host() is 1 when the CPU is stopped in memvisor with its own page
tables loaded, 0 when it is inside a guest (or early in boot). Use it in
breakpoint conditions, since guest and host code share low addresses:
  hbreak vm_finish if $mv_in_host() && vm->id == 1"""

    def __init__(self):
        super().__init__("mv_in_host")

    def invoke(self):
        try:
            return 0 if host_problem() else 1
        except (gdb.error, gdb.GdbError):
            return 0


def register_all():
    MvVms()
    MvPmap()
    MvWalk()
    MvStats()
    MvGuestSymbols()
    MvInHost()


register_all()
# A new `file` may bring other enums: forget the names read so far.
gdb.events.new_objfile.connect(lambda event: enum_names.cache_clear())
gdb.write("memvisor: gdb helpers loaded: mv-vms, mv-pmap, mv-walk, mv-stats, "
          "mv-guest-symbols, $mv_in_host() (`help mv-walk`)\n")
