// ipcguard: what IPC must refuse, with the receiver waiting (so that only
// the refusal explains the error): a kernel or misaligned source, a perm
// with no page, a page for a receiver that asked for none, an env that
// does not exist, an env that is not waiting (ourselves, too); a kernel or
// misaligned dstva in ipc_recv (refused at once, no waiting). And a
// child may not reach its parent's pages with page_map. After all that,
// the receiver's first message is the plain one we send last, with no
// page bound.
#include "user/lab5.hh"

namespace {
const char* program_name = "ipcguard";
int check_number = 0;
constexpr uintptr_t src_page = 0x40000000, go_page = 0x41000000;
constexpr uint64_t prw_nx = perm_present | perm_user | perm_writable | perm_no_execute;
}  // namespace

// Sends until the child is waiting; the error then.
int64_t send_when_waiting(int32_t to, uint64_t value, uintptr_t srcva, uint64_t perm) {
    int64_t r;
    for (int i = 0; i < 100; ++i) {
        r = sys_ipc_send(to, value, srcva, perm);
        if (r != E_IPC_NOT_RECV) return r;
        sys_yield();
    }
    return r;
}

uint64_t umain(uint64_t arg) {
    int32_t parent = sys_getenvid();
    CHECK(sys_page_alloc(0, src_page, prw_nx), 0);
    CHECK(alloc_shared(go_page), 0);
    auto* go = reinterpret_cast<volatile uint64_t*>(go_page);
    int32_t child = fork();
    CHECK(child >= 0, true);
    if (child == 0) {
        // Not waiting until the parent has seen that it is not: a time
        // slice may end right after fork and run us first.
        wait_until(go, 100000);
        IpcMessage m;
        CHECK(sys_ipc_recv(0xFFFF800000000000ull, &m), E_INVAL);
        CHECK(sys_ipc_recv(user_top, &m), E_INVAL);
        CHECK(sys_ipc_recv(0x50000008, &m), E_INVAL);
        CHECK(sys_page_map(parent, src_page, 0, 0x60000000, pr), E_BAD_ENV);
        CHECK(sys_page_map(0, src_page, parent, 0x60000000, pr), E_BAD_ENV);
        CHECK(ipc_recv(ipc_no_page, &m), 0);
        CHECK(m.from, parent);
        CHECK(m.value, arg);
        CHECK(m.perm, 0);
        return arg ^ ok_status;
    }
    // The child is not waiting yet: it waits for the go, then runs its
    // refusals first.
    int64_t child_not_waiting = sys_ipc_send(child, 1, ipc_no_page, 0);
    *go = 1;
    CHECK(child_not_waiting, E_IPC_NOT_RECV);
    CHECK(sys_ipc_send(0, 1, ipc_no_page, 0), E_IPC_NOT_RECV);
    CHECK(send_when_waiting(child, 2, 0xFFFFFFFF80000000ull, pr), E_INVAL);
    CHECK(send_when_waiting(child, 3, src_page + 8, pr), E_INVAL);
    CHECK(send_when_waiting(child, 4, ipc_no_page, pr), E_INVAL);
    CHECK(send_when_waiting(child, 5, src_page, prw_nx), E_INVAL);   // it asked for no page
    CHECK(send_when_waiting(child, 6, src_page, perm_writable), E_INVAL);   // not present | user
    CHECK(send_when_waiting(child ^ (1 << 20), 7, ipc_no_page, 0), E_BAD_ENV);
    CHECK(send_when_waiting(-1, 8, ipc_no_page, 0), E_BAD_ENV);
    CHECK(syscall(SYS_ipc_send, (1ull << 32) | uint32_t(child), 9, ipc_no_page, 0), E_BAD_ENV);
    CHECK(send_when_waiting(child, arg, ipc_no_page, 0), 0);
    return arg ^ ok_status;
}
