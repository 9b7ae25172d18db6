/* vmm/share/ops.h — the real machine behind page sharing's engine: struct
 * share_ops (vmm/share/share.h) over the guest frame budget, the PMAPs
 * and the backend's nested tables. Tests plug plain arrays in instead. */
#ifndef MEMVISOR_VMM_SHARE_OPS_H
#define MEMVISOR_VMM_SHARE_OPS_H

#include "vmm/share/share.h"

extern const struct share_ops share_machine_ops;

#endif
