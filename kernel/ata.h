/* kernel/ata.h — the legacy ATA (IDE) disks behind the PIIX controller's
 * two compatibility channels, which QEMU's `pc` machine and Bochs both
 * emulate (Intel 82371AB PIIX4 datasheet, IDE controller: in compatibility
 * mode the primary channel decodes 1F0h-1F7h and 3F6h, the secondary
 * 170h-177h and 376h).
 *
 * Polled PIO for now: the CPU moves every word and waits for the drive
 * (ATA/ATAPI-6, T13/1410D rev. 3b, clause 9: the PIO data-in and PIO
 * data-out protocols). Bus-master DMA with completion by interrupt is
 * the next step; it replaces the two ops behind kernel/block.h. */
#ifndef MEMVISOR_ATA_H
#define MEMVISOR_ATA_H

/* Finds the disks at the four positions (ata0-master ... ata1-slave) with
 * IDENTIFY DEVICE and adds each to block_devs[]; packet devices (the
 * CD-ROM) and empty positions are skipped. Prints one line per disk. */
void ata_probe(void);

#endif
