/* boot/efi/cmdline.c — the kernel command line from the image's LoadOptions.
 * See: UEFI 2.9, 9.1 EFI_LOADED_IMAGE_PROTOCOL (LoadOptions, LoadOptionsSize).
 *
 * The UEFI shell puts its whole command line into LoadOptions, program name
 * first:  L"memvisor.efi test=all zswap=4M"  ──►  "test=all zswap=4M".
 * A boot-manager entry passes only its optional data, with no program name;
 * the shell is told apart by the EFI_SHELL_PARAMETERS_PROTOCOL it installs
 * on the images it starts (UEFI Shell 2.2, 2.2).
 */
#include "loader.h"

static BOOLEAN cmdline_is_blank(CHAR16 c)
{
	return c == L' ' || c == L'\t';
}

/* Number of UCS-2 characters before the first NUL or the end of the buffer. */
static UINTN cmdline_length(const EFI_LOADED_IMAGE *image)
{
	const CHAR16 *s = image->LoadOptions;
	UINTN max = s ? image->LoadOptionsSize / sizeof(CHAR16) : 0;
	UINTN n = 0;
	while (n < max && s[n] != 0)
		n++;
	return n;
}

/* Index just past the first word (the program name, maybe "quoted") and
 * the blanks that follow it. */
static UINTN cmdline_skip_program(const CHAR16 *s, UINTN n)
{
	UINTN i = 0;
	while (i < n && cmdline_is_blank(s[i]))
		i++;
	if (i < n && s[i] == L'"') {
		for (i++; i < n && s[i] != L'"'; i++)
			;
		if (i < n)
			i++; /* the closing quote */
	}
	while (i < n && !cmdline_is_blank(s[i]))
		i++;
	while (i < n && cmdline_is_blank(s[i]))
		i++;
	return i;
}

static BOOLEAN started_by_shell(EFI_HANDLE image_handle)
{
	EFI_GUID guid = EFI_SHELL_PARAMETERS_PROTOCOL_GUID;
	void *params;
	return !EFI_ERROR(BS->HandleProtocol(image_handle, &guid, &params));
}

EFI_STATUS loader_read_cmdline(EFI_HANDLE image_handle, const EFI_LOADED_IMAGE *image, char *cmdline,
			       UINTN size)
{
	const CHAR16 *s = image->LoadOptions;
	UINTN n = cmdline_length(image);
	UINTN i = started_by_shell(image_handle) ? cmdline_skip_program(s, n) : 0;

	while (n > i && cmdline_is_blank(s[n - 1]))
		n--;
	if (n - i > size - 1) {
		Print(L"memvisor.efi: command line is %ld characters, the limit is %ld\n",
		      (UINT64)(n - i), (UINT64)(size - 1));
		return EFI_INVALID_PARAMETER;
	}
	UINTN o = 0;
	for (; i < n; i++, o++) {
		if (s[i] > LOADER_ASCII_MAX) {
			Print(L"memvisor.efi: command line character %ld is U+%04x, not ASCII\n",
			      (UINT64)(o + 1), (UINT32)s[i]);
			return EFI_INVALID_PARAMETER;
		}
		cmdline[o] = (char)s[i];
	}
	cmdline[o] = '\0';
	return EFI_SUCCESS;
}
