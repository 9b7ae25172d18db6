/* vmm/console_escape.h — a guest's console text made safe to print.
 *
 * A guest's console line reaches the student's terminal behind its
 * "[vmN:name] " prefix. Control bytes would let the guest move the cursor,
 * erase that prefix (ESC [ 2 K, a carriage return) or change the terminal's
 * state, so only printable ASCII passes through; every other byte is shown
 * as \xHH, and a backslash as \\ (so that "\x1b" in a line always means a
 * byte, never text the guest typed). Pure code (tests/unit).
 */
#ifndef MEMVISOR_VMM_CONSOLE_ESCAPE_H
#define MEMVISOR_VMM_CONSOLE_ESCAPE_H

#include <stddef.h>

/* The most one input byte becomes: "\xHH". */
#define CONSOLE_ESCAPE_MAX_PER_BYTE 4

/* Writes the escaped form of in[0..len) and a NUL to out; out_size must be
 * at least len * CONSOLE_ESCAPE_MAX_PER_BYTE + 1 (else the text is cut at a
 * whole escape). Returns the length written, without the NUL. */
size_t console_escape(char *out, size_t out_size, const char *in, size_t len);

#endif
