#include "kern/ipc.hh"
#include "kern/guard.hh"
#include "kern/sched.hh"
#include "kern/syscall.hh"
#include "kern/usermem.hh"   // user_mem_check, for checks of your own
#include "lib/error.hh"

namespace ipc {

int64_t recv(Env& e, uintptr_t dstva) {
    // BEGIN LAB 5
    if (dstva != ipc_no_page)
        if (int r = guard::user_page(dstva); r < 0) return r;
    e.ipc.dstva = dstva;
    e.status = EnvStatus::receiving;
    sched::run_next();
    // STUB LAB 5
    //~ // LAB 5: your code here. Refuse a dstva that is neither ipc_no_page
    //~ // nor a page a binding may name (guard::user_page). Remember it in
    //~ // e.ipc, mark e EnvStatus::receiving (the scheduler passes it by)
    //~ // and give the CPU away with sched::run_next(), which never returns:
    //~ // the sender fills in e's registers when it delivers.
    //~ (void) e, (void) dstva;
    //~ return E_NO_SYS;
    // END LAB 5
}

int64_t send(Env& e, uint64_t to, uint64_t value, uintptr_t srcva, uint64_t perm) {
    // BEGIN LAB 5
    Env* receiver;
    if (int r = lookup_any(to, &receiver); r < 0) return r;
    // The request's own shape first, whoever is waiting.
    if (srcva == ipc_no_page) {
        if (perm != 0) return E_INVAL;
    } else {
        if (int r = guard::user_page(srcva); r < 0) return r;
        if (int r = guard::perm(perm); r < 0) return r;
    }
    if (receiver->status != EnvStatus::receiving) return E_IPC_NOT_RECV;
    uint64_t granted = 0;
    if (srcva != ipc_no_page) {
        // No binding in an address space that did not ask for one.
        if (receiver->ipc.dstva == ipc_no_page) return E_INVAL;
        PageTable own = e.page_table();
        Mapping source;
        if (int r = guard::map(own, srcva, receiver->ipc.dstva, perm, &source); r < 0) return r;
        if (int r = env::map_frame(*receiver, receiver->ipc.dstva, page_round_down(source.pa), perm); r < 0)
            return r;
        granted = perm;
    }
    receiver->tf.rax = 0;
    receiver->tf.rsi = static_cast<uint64_t>(static_cast<int64_t>(e.id));
    receiver->tf.rdx = value;
    receiver->tf.r10 = granted;
    receiver->status = EnvStatus::runnable;
    e.tf.rax = 0;
    sched::hand_off(*receiver);   // the direct switch; e stays runnable
    // STUB LAB 5
    //~ // LAB 5: your code here, in this order (lib/abi.hh, "IPC", is the
    //~ // contract):
    //~ // 1. the receiver: any live env (lookup_any), else E_BAD_ENV;
    //~ // 2. the request itself, whoever waits: with srcva ipc_no_page, perm
    //~ //    must be 0; otherwise srcva must pass guard::user_page and perm
    //~ //    guard::perm (E_INVAL);
    //~ // 3. E_IPC_NOT_RECV unless the receiver is EnvStatus::receiving;
    //~ // 4. a page: E_INVAL if the receiver's ipc.dstva is ipc_no_page;
    //~ //    then guard::map on e's own page table, exactly as page_map
    //~ //    does, and env::map_frame into the receiver at its dstva;
    //~ // 5. deliver into the receiver's saved registers (rax 0, rsi e's
    //~ //    id, rdx value, r10 the perm granted or 0), make it runnable,
    //~ //    set e's rax to 0, and switch to it with sched::hand_off (no
    //~ //    return: the receiver gets the rest of e's time slice).
    //~ // Nothing may change before the last check has passed.
    //~ (void) e, (void) to, (void) value, (void) srcva, (void) perm;
    //~ return E_NO_SYS;
    // END LAB 5
}

}  // namespace ipc
