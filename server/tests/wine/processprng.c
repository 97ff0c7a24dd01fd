/* For testing the Windows build under Wine only; never shipped.
 *
 * Rust's standard library (1.78 and later) draws random numbers with
 * ProcessPrng from bcryptprimitives.dll. Windows 10 and later have it;
 * Debian's Wine 8 does not, and the program stops at start (exit code 53).
 * This stand-in, placed beside the .exe in the test's folder, answers with
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
