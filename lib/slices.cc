#include "lib/slices.hh"
#include "lib/layout.hh"
#include "lib/pgfault.hh"
#include "lib/syscall.hh"
#include <stddef.h>

// lib/sliceentry.S's constants.
static_assert(sizeof(UTrapFrame) == 21 * 8);
static_assert(SYS_yield == 5);
static_assert(slice_save_va == 0x7FFFFFFFD000);   // SAVE_AREA
static_assert(slice_save_va + sizeof(UTrapFrame) < exception_stack_top - 3 * 1024, "leave the stack room");

slices::SliceHandler epilogue_handler = nullptr, prologue_handler = nullptr;

namespace slices {

namespace {
bool registered = false;

int register_with_kernel(int32_t envid) {
    return static_cast<int>(sys_set_slice_upcalls(envid, reinterpret_cast<uintptr_t>(&epilogue_upcall),
                                                  reinterpret_cast<uintptr_t>(&prologue_upcall),
                                                  slice_save_va));
}
}  // namespace

const volatile EnvCpuView& of(int32_t envid) {
    return table().env[env_index(envid == 0 ? sys_getenvid() : envid)];
}

UTrapFrame* save_area() { return reinterpret_cast<UTrapFrame*>(slice_save_va); }

uint32_t next_owned(int32_t envid, uint32_t after) {
    if (envid == 0) envid = sys_getenvid();
    for (uint32_t slot = after + 1; slot < slice_slots; ++slot)
        if (table().owner[slot] == envid) return slot;
    return slice_slots;
}

int release_all(int32_t envid) {
    if (envid == 0) envid = sys_getenvid();
    for (uint32_t slot = next_owned(envid); slot < slice_slots; slot = next_owned(envid, slot))
        if (int64_t r = sys_slice_free(envid, slot); r < 0) return static_cast<int>(r);
    return 0;
}

int set_handlers(SliceHandler epilogue, SliceHandler prologue) {
    epilogue_handler = epilogue;
    prologue_handler = prologue;
    if (registered) return 0;
    if (int r = exception_stack_ready(); r < 0) return r;
    if (int r = register_with_kernel(0); r < 0) return r;
    registered = true;
    return 0;
}

int clear_handlers() {
    registered = false;
    return static_cast<int>(sys_set_slice_upcalls(0, 0, 0, 0));
}

int inherit(int32_t child) { return registered ? register_with_kernel(child) : 0; }

}  // namespace slices
