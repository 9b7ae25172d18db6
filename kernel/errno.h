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
};

#endif
