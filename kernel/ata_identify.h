/* kernel/ata_identify.h — what memvisor takes from the 256 words IDENTIFY
 * DEVICE returns (ATA/ATAPI-6, T13/1410D rev. 3b, clause 8, IDENTIFY
 * DEVICE, the table of its data words). Pure code: tests/kernel/ata_identify_test.c feeds it
 * synthetic buffers.
 *
 *   word 0      bit 15: 0 = ATA device (1 = ATAPI, which answers
 *               IDENTIFY PACKET DEVICE instead)
 *   words 27-46 model number, 40 ASCII characters, two to a word with
 *               the first in the high byte, padded with spaces
 *   word 49     bit 8: DMA supported
 *   words 60-61 sectors addressable with 28-bit LBA
 *   word 83     bit 10: the 48-bit Address feature set is supported
 *               (bits 15:14 = 01b say the word is valid)
 *   words 100-103  sectors addressable with 48-bit LBA (max LBA + 1)
 */
#ifndef MEMVISOR_ATA_IDENTIFY_H
#define MEMVISOR_ATA_IDENTIFY_H

#include "kernel/types.h"

#define ATA_IDENTIFY_WORDS 256
#define ATA_MODEL_MAX 41 /* 40 characters and the terminator */

struct ata_identity {
	uint64_t sectors;         /* 48-bit capacity in 512-byte sectors */
	char model[ATA_MODEL_MAX]; /* trailing spaces removed          */
	bool dma;                 /* word 49 bit 8: DMA supported        */
};

/* Fills *id from an IDENTIFY DEVICE block. -E_NOT_SUPPORTED for an ATAPI
 * device or one without the 48-bit Address feature set (this driver
 * issues only the EXT commands), -E_INVAL for a capacity of zero. */
int ata_identify_parse(const uint16_t words[ATA_IDENTIFY_WORDS], struct ata_identity *id);

#endif
