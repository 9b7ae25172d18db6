/* kernel/ata_identify.c — IDENTIFY DEVICE data read (ATA/ATAPI-6, IDENTIFY DEVICE). */
#include "kernel/ata_identify.h"
#include "kernel/errno.h"

#define ID_CONFIG 0
#define ID_CONFIG_ATAPI BIT(15)
#define ID_MODEL 27
#define ID_MODEL_WORDS 20
#define ID_CAPABILITIES 49
#define ID_CAPABILITIES_DMA BIT(8)
#define ID_CMD_SET_2 83
#define ID_CMD_SET_2_VALID_MASK 0xc000u /* bits 15:14 shall be 01b */
#define ID_CMD_SET_2_VALID 0x4000u
#define ID_CMD_SET_2_LBA48 BIT(10)
#define ID_LBA48_SECTORS 100

int ata_identify_parse(const uint16_t words[ATA_IDENTIFY_WORDS], struct ata_identity *id)
{
	if (words[ID_CONFIG] & ID_CONFIG_ATAPI)
		return -E_NOT_SUPPORTED;
	uint16_t set2 = words[ID_CMD_SET_2];
	if ((set2 & ID_CMD_SET_2_VALID_MASK) != ID_CMD_SET_2_VALID || !(set2 & ID_CMD_SET_2_LBA48))
		return -E_NOT_SUPPORTED;
	uint64_t sectors = 0;
	for (int i = 3; i >= 0; i--)
		sectors = sectors << 16 | words[ID_LBA48_SECTORS + i];
	if (!sectors)
		return -E_INVAL;
	id->sectors = sectors;
	id->dma = (words[ID_CAPABILITIES] & ID_CAPABILITIES_DMA) != 0;
	int n = 0;
	for (int w = 0; w < ID_MODEL_WORDS; w++) {
		id->model[n++] = (char)(words[ID_MODEL + w] >> 8);
		id->model[n++] = (char)(words[ID_MODEL + w] & 0xff);
	}
	while (n > 0 && (id->model[n - 1] == ' ' || id->model[n - 1] == '\0'))
		n--;
	id->model[n] = '\0';
	return 0;
}
