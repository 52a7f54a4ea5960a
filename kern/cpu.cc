#include "kern/cpu.hh"
#include "kern/console.hh"
#include "kern/x86.hh"

namespace {
namespace cr0 {
constexpr uint64_t monitor_coprocessor = 1 << 1, emulation = 1 << 2, task_switched = 1 << 3;
}
namespace cr4 {
constexpr uint64_t global_pages = 1 << 7, os_fxsr = 1 << 9, os_xmm_exceptions = 1 << 10,
                   umip = 1 << 11, smep = 1 << 20, smap = 1 << 21;
}
// CPUID leaf 7, subleaf 0.
constexpr uint32_t ebx_smep = 1 << 7, ebx_smap = 1 << 20, ecx_umip = 1 << 2;
}  // namespace

namespace cpu {

constinit Protections protections{};

void init() {
    x86::CpuidResult features{};
    if (x86::cpuid(0).eax >= 7) features = x86::cpuid(7, 0);
    protections = Protections{(features.ebx & ebx_smep) != 0, (features.ebx & ebx_smap) != 0,
                              (features.ecx & ecx_umip) != 0};

    // Global pages keep the kernel half's TLB entries across CR3 switches
    // (kernel mappings carry pte::global; user ones never may). SMAP costs
    // nothing here: the kernel reaches user memory only through the direct
    // map (kern/usermem.cc), so any access by user address is a bug.
    uint64_t want = cr4::global_pages | cr4::os_fxsr | cr4::os_xmm_exceptions;
    if (protections.smep) want |= cr4::smep;
    if (protections.smap) want |= cr4::smap;
    if (protections.umip) want |= cr4::umip;
    x86::write_cr4(x86::read_cr4() | want);
    // x87 and SSE run natively in user code; the kernel never uses them.
    x86::write_cr0((x86::read_cr0() | cr0::monitor_coprocessor) & ~(cr0::emulation | cr0::task_switched));
    cprintf("cpu: SMEP %s, SMAP %s, UMIP %s\n", protections.smep ? "on" : "absent",
            protections.smap ? "on" : "absent", protections.umip ? "on" : "absent");
}

}  // namespace cpu
