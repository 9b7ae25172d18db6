/* vmm/policy/entitle_vms.c — the running VMs' entitlements now
 * (entitle_compute(), entitle.h): their shares, reservation and limit
 * from guests=, their active memory from sampling (active.h), the guests'
 * budget guest_mem and the tax idle_tax=. Shown by the monitor's `vms`.
 * policy_reclaim_split(): the same arithmetic over the frames the VMs are
 * charged now (policy_vm_held(): the measure memory pressure is blamed
 * by, so a VM held responsible is always one taken from), which says whom
 * reclamation takes from (vmm/policy/policy.c). */
#include "vmm/policy/entitle.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/mm/memory.h"
#include "vmm/policy/alloc.h"
#include "vmm/policy/policy.h"
#include "vmm/policy/active.h"
#include "vmm/vm.h"
#include "kernel/options.h"
#include "kernel/timer.h"

/* Pages a VM had faulted back in (from the compressed area or the disk)
 * at the last reclamation round, and when that count last grew
 * (policy_reclaim_split() updates both). */
static uint64_t swapins_at_round[VM_MAX];
static uint64_t last_swapin_ms[VM_MAX];
static bool faulting_back[VM_MAX];

static uint64_t swapins(const struct vm *vm)
{
	return vm->zswap.swapins + vm->swap.ins;
}

/* Active pages as the tax sees them (active.h: sampling). A VM none of
 * whose sampling periods has ended yet has shown no idle page. A VM that
 * waits for a frame, or faults back pages taken from it, is using its
 * memory whatever the last sample said: a period is the VM's own CPU
 * time, and one that waits or spends it on swap-ins touches few pages in
 * it, so its estimate falls; taxing it as idle then would take more from
 * it because it is short of memory, and it would look idler still. So for
 * these — unmeasured, waiting, or within one sampling period
 * (active_period_ms) of its last swap-in — all pages count as active. */
static uint64_t taxed_active(const struct vm *vm)
{
	bool unmeasured = !vm->active.periods;
	return unmeasured || vm->waiting || faulting_back[vm - vms] ? UINT64_MAX : active_pages(&vm->active);
}

/* The running VMs' settings and active memory as entitle_vm rows;
 * index[j] is row j's place in vms[]. Returns the number of rows. */
static unsigned running_rows(struct entitle_vm *v, unsigned *index)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		if (vms[i].state != VM_RUNNABLE)
			continue;
		const struct vm_alloc *a = &vms[i].alloc;
		v[n] = (struct entitle_vm){ a->shares, a->reservation, a->limit, taxed_active(&vms[i]), 0 };
		index[n++] = i;
	}
	return n;
}

void policy_entitlements(uint64_t *out)
{
	struct entitle_vm v[VM_MAX];
	unsigned index[VM_MAX], n = running_rows(v, index);
	for (uint32_t i = 0; i < vm_count; i++)
		out[i] = 0;
	entitle_compute(v, n, guest_frames.budget, (unsigned)options.idle_tax);
	for (unsigned j = 0; j < n; j++)
		out[index[j]] = v[j].entitled;
}

void policy_reclaim_split(uint64_t missing, uint64_t *take)
{
	struct entitle_vm v[VM_MAX];
	uint64_t held[VM_MAX], part[VM_MAX];
	unsigned index[VM_MAX], n;
	for (uint32_t i = 0; i < vm_count; i++) {
		take[i] = 0;
		uint64_t now = timer_ms(), n_in = swapins(&vms[i]);
		if (n_in != swapins_at_round[i])
			last_swapin_ms[i] = now;
		swapins_at_round[i] = n_in;
		/* within one sampling period of its last swap-in */
		faulting_back[i] = n_in && now - last_swapin_ms[i] < options.active_period_ms;
	}
	n = running_rows(v, index);
	for (unsigned j = 0; j < n; j++)
		held[j] = policy_vm_held(&vms[index[j]]);
	entitle_reclaim_split(v, held, n, missing, (unsigned)options.idle_tax, part);
	for (unsigned j = 0; j < n; j++) {
		const struct vm *vm = &vms[index[j]];
		take[index[j]] = MIN(part[j], alloc_reclaimable(&vm->alloc, vm_memory_resident(vm)));
	}
}
