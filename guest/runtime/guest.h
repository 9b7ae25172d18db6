/* guest/runtime/guest.h — everything a workload (guest/NAME/) uses from the
 * runtime. A workload provides two things:
 *
 *     const char guest_image_name[] = "hello";  its name when standalone
 *     int main(const struct guest_env *env)     returns the exit status
 *
 * The runtime has set up, before main() runs: long mode, its own GDT/IDT,
 * page tables (paging.h), the frame allocator (frames.h), the console
 * (console.h) and hypercalls (hypercall.h). The balloon driver
 * (balloon.h) waits for the workload's balloon_init(). */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include "addr.h"
#include "balloon.h"
#include "checksum.h"
#include "console.h"
#include "demand.h"
#include "env.h"
#include "exit.h"
#include "frames.h"
#include "hypercall.h"
#include "paging.h"
#include "kernel/random.h"
#include "test_region.h"
#include "kernel/errno.h"
#include "kernel/string.h"

extern const char guest_image_name[];
int main(const struct guest_env *env);

#endif
