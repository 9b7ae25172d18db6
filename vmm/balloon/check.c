/* vmm/balloon/check.c — the balloon's invariant: no balloon holds more than
 * its cap (balloon_max_pct of the VM). Its ballooned entries keep no frame
 * and are never mapped: the PMAP's checks (vmm/mm/check.h, 5). */
#include "vmm/balloon/balloon.h"
#include "vmm/vm.h"

void balloon_check_invariants(check_violation_fn violation)
{
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].pmap.entries && balloon_size(&vms[i]) > balloon_cap(&vms[i]))
			violation("vm%u's balloon holds %llu pages, above its cap of %llu", vms[i].id,
				  (unsigned long long)balloon_size(&vms[i]), (unsigned long long)balloon_cap(&vms[i]));
}
