// ipcpage: IPC that passes a page binding. The parent fills a page with
// data from the argument and sends it to its child, which asked for a page
// at its dstva; the child checks the data and the rights it was given, and
// both report the frame (report_frame) for the grader to compare with the
// kernel's PTEs: one frame, two bindings. The parent then sends a
// read-only page and asks for a writable binding: E_PERM, and the child,
// still waiting, gets the same page read-only in the next message.
#include "user/lab5.hh"

namespace {
const char* program_name = "ipcpage";
int check_number = 0;
constexpr uintptr_t src_page = 0x40000000, ro_page = 0x40001000, dst_page = 0x50000000;
constexpr uint64_t prwx = perm_present | perm_user | perm_writable | perm_no_execute;
}  // namespace

uint64_t fill(uint64_t arg, size_t i) { return (arg + i) * 0x2545F4914F6CDD1Dull; }

uint64_t umain(uint64_t arg) {
    int32_t parent = sys_getenvid();
    int32_t child = fork();
    CHECK(child >= 0, true);
    auto* words = reinterpret_cast<volatile uint64_t*>(dst_page);
    if (child == 0) {
        IpcMessage m;
        CHECK(ipc_recv(dst_page, &m), 0);
        CHECK(m.from, parent);
        CHECK(m.value, arg);
        CHECK(m.perm, prwx);
        CHECK(uvpt::pte_of(dst_page) & prwx, prwx);
        report_frame_of(dst_page);
        for (size_t i = 0; i < 512; ++i) CHECK(words[i], fill(arg, i));
        words[1] = arg ^ 0x77;   // the parent sees this: one frame
        CHECK(ipc_send(parent, 1), 0);
        // The refused writable send changed nothing; then the read-only one.
        CHECK(ipc_recv(dst_page, &m), 0);
        CHECK(m.perm, pr | perm_no_execute);
        CHECK(uvpt::pte_of(dst_page) & prwx, pr | perm_no_execute);
        CHECK(words[0], arg + 5);
        return arg ^ ok_status;
    }
    CHECK(sys_page_alloc(0, src_page, prwx), 0);
    auto* src = reinterpret_cast<volatile uint64_t*>(src_page);
    for (size_t i = 0; i < 512; ++i) src[i] = fill(arg, i);
    report_frame_of(src_page);
    CHECK(ipc_send(child, arg, src_page, prwx), 0);
    IpcMessage m;
    CHECK(ipc_recv(ipc_no_page, &m), 0);
    CHECK(src[1], arg ^ 0x77);

    CHECK(sys_page_alloc(0, ro_page, prwx), 0);
    reinterpret_cast<volatile uint64_t*>(ro_page)[0] = arg + 5;
    CHECK(sys_page_map(0, ro_page, 0, ro_page, pr | perm_no_execute), 0);
    int64_t r;
    while ((r = sys_ipc_send(child, 2, ro_page, prwx)) == E_IPC_NOT_RECV) sys_yield();
    CHECK(r, E_PERM);
    CHECK(ipc_send(child, 3, ro_page, pr | perm_no_execute), 0);
    return arg ^ ok_status;
}
