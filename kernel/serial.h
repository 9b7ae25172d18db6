/* kernel/serial.h — COM1 console (kernel/serial.c). */
#ifndef MEMVISOR_SERIAL_H
#define MEMVISOR_SERIAL_H

#include "kernel/types.h"

void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t len); /* turns "\n" into "\r\n" */
int serial_getc_nonblock(void);               /* byte, or -1 if none waiting */
bool serial_input_waiting(void);              /* a byte waits to be read */
/* Waits until the last byte has left the UART (before the machine stops). */
void serial_flush(void);

#endif
