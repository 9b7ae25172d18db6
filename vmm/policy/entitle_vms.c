/* vmm/policy/entitle_vms.c — the running VMs' entitlements now
 * (entitle_compute(), entitle.h): their shares, reservation and limit
 * from guests=, their active memory from sampling (active.h), the guests'
 * budget guest_mem and the tax idle_tax=. Shown by the monitor's `vms`;
 * not yet what chooses victims. */
#include "vmm/policy/entitle.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/policy/active.h"
#include "vmm/vm.h"
#include "kernel/options.h"

void policy_entitlements(uint64_t *out)
{
	struct entitle_vm v[VM_MAX];
	unsigned n = 0, index[VM_MAX];
	for (uint32_t i = 0; i < vm_count; i++) {
		out[i] = 0;
		if (vms[i].state != VM_RUNNABLE)
			continue;
		const struct vm_alloc *a = &vms[i].alloc;
		v[n] = (struct entitle_vm){ a->shares, a->reservation, a->limit, active_pages(&vms[i].active), 0 };
		index[n++] = i;
	}
	entitle_compute(v, n, guest_frames.budget, (unsigned)options.idle_tax);
	for (unsigned j = 0; j < n; j++)
		out[index[j]] = v[j].entitled;
}
