/* kernel/ata.h — the legacy ATA (IDE) disks behind the PIIX controller's
 * two compatibility channels, which QEMU's `pc` machine and Bochs both
 * emulate (Intel 82371AB PIIX4 datasheet, IDE controller: in compatibility
 * mode the primary channel decodes 1F0h-1F7h and 3F6h, the secondary
 * 170h-177h and 376h).
 *
 * Bus-master DMA (READ/WRITE DMA EXT, kernel/ata_dma.c) when the PCI IDE
 * function has a bus master, as the PIIX3 of both emulators does: the
 * CPU is free while a request is in flight and the caller polls for its
 * end. Otherwise polled PIO (ATA/ATAPI-6, T13/1410D rev. 3b, clause 9:
 * the PIO data-in and PIO data-out protocols), the CPU moving every word.
 * Both stand behind the ops of kernel/block.h. */
#ifndef MEMVISOR_ATA_H
#define MEMVISOR_ATA_H

#include "kernel/types.h"

/* Finds the disks at the four positions (ata0-master ... ata1-slave) with
 * IDENTIFY DEVICE and adds each to block_devs[]; packet devices (the
 * CD-ROM) and empty positions are skipped. Prints one line per disk.
 * With `dma` false no bus master is looked for: PIO only. */
void ata_probe(bool dma);

#endif
