/* vmm/share/check.h — page sharing's invariants (vmm/share/check.c):
 *   a private frame has one user; a shared frame may have one too (the
 *   others broke away), and all its users map it SHARED and have one salt;
 *   the share table names each shared frame under the hash of its contents
 *   (unchanged since the merge: read-only works) and its zero flag is
 *   right; every SHARED gfn is a user of a frame the table names.
 * Run with the others by vmm_check_invariants() (vmm/check.c). */
#ifndef MEMVISOR_VMM_SHARE_CHECK_H
#define MEMVISOR_VMM_SHARE_CHECK_H

#include "vmm/mm/check.h"
#include "vmm/vm.h"

void share_check_invariants(check_violation_fn violation);

/* After a merge or a break: a failed PMAP or frame-table transition
 * panics; with the option share_check, so does any violation of any
 * invariant, found by the checker given to share_check_use() (the
 * whole tree's, which sharing cannot call itself: it lies above). */
void share_check_use(unsigned (*check_every_invariant)(void));
void share_check_after(const char *what, const struct vm *vm, gfn_t gfn);
/* How many share_check checks ran (stats). */
uint64_t share_checks_done(void);

#endif
