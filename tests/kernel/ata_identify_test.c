/* tests/kernel/ata_identify_test.c — IDENTIFY DEVICE data parsed from
 * synthetic blocks (ATA/ATAPI-6, IDENTIFY DEVICE): capacity from words 100-103, DMA from word 49, the
 * model string, and the devices this driver refuses. */
#include "kernel/ata_identify.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/string.h"

#define W83_VALID_LBA48 0x4400u /* bits 15:14 = 01b, bit 10 */

static void disk(uint16_t w[ATA_IDENTIFY_WORDS], uint64_t sectors, const char *model)
{
	memset(w, 0, ATA_IDENTIFY_WORDS * sizeof(uint16_t));
	w[83] = W83_VALID_LBA48;
	for (int i = 0; i < 4; i++)
		w[100 + i] = (uint16_t)(sectors >> (16 * i));
	for (int i = 0; i < 40; i++) {
		char c = i < (int)strlen(model) ? model[i] : ' ';
		w[27 + i / 2] |= (uint16_t)((uint8_t)c << (i % 2 ? 0 : 8));
	}
}

KTEST(ata_identify, lba48_capacity_and_model)
{
	uint16_t w[ATA_IDENTIFY_WORDS];
	struct ata_identity id;
	disk(w, 0x123456789abull, "QEMU HARDDISK");
	KT_EXPECT_EQ(t, ata_identify_parse(w, &id), 0);
	KT_EXPECT_EQ(t, id.sectors, 0x123456789abull);
	KT_EXPECT_STR(t, id.model, "QEMU HARDDISK");
}

KTEST(ata_identify, refuses_packet_device)
{
	uint16_t w[ATA_IDENTIFY_WORDS];
	struct ata_identity id;
	disk(w, 1000, "CD");
	w[0] = 0x8580; /* ATAPI, CD-ROM */
	KT_EXPECT_EQ(t, ata_identify_parse(w, &id), -E_NOT_SUPPORTED);
}

KTEST(ata_identify, refuses_disk_without_lba48)
{
	uint16_t w[ATA_IDENTIFY_WORDS];
	struct ata_identity id;
	disk(w, 1000, "OLD");
	w[83] = 0x4000; /* valid word, no 48-bit Address feature set */
	KT_EXPECT_EQ(t, ata_identify_parse(w, &id), -E_NOT_SUPPORTED);
	w[83] = 0x0400; /* bit 10 set but the word is not marked valid */
	KT_EXPECT_EQ(t, ata_identify_parse(w, &id), -E_NOT_SUPPORTED);
}

KTEST(ata_identify, refuses_zero_capacity)
{
	uint16_t w[ATA_IDENTIFY_WORDS];
	struct ata_identity id;
	disk(w, 0, "EMPTY");
	KT_EXPECT_EQ(t, ata_identify_parse(w, &id), -E_INVAL);
}

KTEST(ata_identify, dma_from_word_49)
{
	uint16_t w[ATA_IDENTIFY_WORDS];
	struct ata_identity id;
	disk(w, 1000, "DISK");
	KT_EXPECT_EQ(t, ata_identify_parse(w, &id), 0);
	KT_EXPECT_EQ(t, id.dma, false);
	w[49] = 0x0100; /* bit 8: DMA supported */
	KT_EXPECT_EQ(t, ata_identify_parse(w, &id), 0);
	KT_EXPECT_EQ(t, id.dma, true);
}
