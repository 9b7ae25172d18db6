/* kernel/errno.h — error codes. Functions that can fail return -E_*; the
 * caller turns them into a message that says what to do. */
#ifndef MEMVISOR_ERRNO_H
#define MEMVISOR_ERRNO_H

enum memvisor_error {
	E_OK = 0,
	E_INVAL = 1,       /* malformed argument                       */
	E_RANGE = 2,       /* number or address out of range           */
	E_NO_MEMORY = 3,   /* not enough free machine frames           */
	E_DOUBLE_FREE = 4, /* freeing a frame that is already free     */
	E_EXISTS = 5,      /* given twice                              */
	E_NOT_FOUND = 6,   /* no such name                             */
	E_NO_SVM = 7,      /* the CPU has no AMD SVM                   */
	E_NO_VMX = 8,      /* the CPU has no Intel VT-x                */
	E_LOCKED_BY_FIRMWARE = 9, /* virtualisation turned off by firmware */
	E_NO_NESTED_PAGING = 10,  /* no NPT / EPT                         */
	E_NO_UNRESTRICTED_GUEST = 11,
	E_NOT_SUPPORTED = 12, /* the hardware lacks an optional feature  */
	E_CORRUPT = 13,       /* stored data failed its check (damaged) */
	E_NOT_IMPLEMENTED = 14, /* a lab exercise not written yet (kernel/lab.h) */
	E_IO = 15,            /* a device reported an error or timed out */
	E_FULL = 16,          /* no free slot left                       */
	E_AGAIN = 17,         /* not finished yet: ask again later       */
	E_BUSY = 18,          /* the device is working on another request */
};

#endif
