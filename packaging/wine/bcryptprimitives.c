/*
 * A stand-in for Windows' bcryptprimitives.dll, for the Wine checks only
 * (packaging/wine-check.sh puts it in the throw-away prefix's system32; it is
 * never shipped). Go 1.24 and later read random numbers with ProcessPrng from
 * bcryptprimitives.dll, which every Windows 10 and 11 has and Debian 12's
 * Wine 8.0 lacks, so a Go program stops at start-up under that Wine with
 * "bcryptprimitives.dll not found". This one DLL answers ProcessPrng from
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG n = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        size -= n;
    }
    return TRUE;
}
