/* vmm/backend.c — the backend for this CPU (vmm/backend.h): SVM on AMD,
 * VMX on Intel, by the CPUID vendor string (SDM Vol. 2A CPUID leaf 0;
 * APM Vol. 3 E.3.1), and turning it on. */
#include "vmm/vmm.h"
#include "vmm/backend.h"
#include "vmm/cpu/state.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/printf.h"
#include "kernel/string.h"

const struct backend *backend;

int vmm_detect(void)
{
	uint32_t a, b, c, d;
	char vendor[13];
	cpuid(0, 0, &a, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	if (!strcmp(vendor, "AuthenticAMD"))
		backend = &svm_backend;
	if (!strcmp(vendor, "GenuineIntel"))
		backend = &vmx_backend;
	if (!backend) {
		kprintf("memvisor: error: CPU vendor '%s' has no backend (memvisor runs on AMD SVM and Intel VMX)\n", vendor);
		return -E_NOT_FOUND;
	}
	int rc = backend->detect();
	if (rc)
		backend = NULL;
	return rc;
}

int vmm_enable(void)
{
	static bool enabled;
	if (enabled)
		return 0;
	int rc = backend->enable();
	if (!rc)
		rc = cpu_state_enable(); /* x87/SSE/XCR0 per vCPU (vmm/cpu/state.h) */
	enabled = rc == 0;
	return rc;
}
