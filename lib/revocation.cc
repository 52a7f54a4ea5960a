#include "lib/revocation.hh"
#include "lib/pgfault.hh"
#include "lib/syscall.hh"

namespace revocation {

uint64_t vector_seen = 0;

namespace {
RequestHandler on_request = nullptr;
NoticeHandler on_notice = nullptr;
}  // namespace

const volatile EnvMemoryView& of(int32_t envid) {
    return table().env[env_index(envid == 0 ? sys_getenvid() : envid)];
}

int set_handlers(RequestHandler request, NoticeHandler notice) {
    on_request = request;
    on_notice = notice;
    if (int r = exception_stack_ready(); r < 0) return r;
    return static_cast<int>(sys_set_revocation_upcall(0, reinterpret_cast<uintptr_t>(&revocation_upcall)));
}

bool repossessed(uintptr_t va) {
    const volatile EnvMemoryView& v = of();
    uint64_t count = v.vector_count;
    uint64_t first = count > repossession_slots ? count - repossession_slots : 0;
    for (uint64_t i = first; i < count; ++i)
        if (v.vector[i % repossession_slots] == va) return true;
    return false;
}

}  // namespace revocation

void revocation_dispatch(UTrapFrame* frame) {
    using namespace revocation;
    if (frame->vector == revocation_request_vector) {
        if (on_request) on_request(static_cast<uint32_t>(frame->fault_va), frame->error_code);
    } else if (frame->vector == revocation_notice_vector) {
        if (on_notice) on_notice();
    }
}
