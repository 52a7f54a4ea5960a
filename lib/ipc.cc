#include "lib/ipc.hh"
#include "lib/error.hh"

int64_t ipc_recv(uintptr_t dstva, IpcMessage* msg) { return sys_ipc_recv(dstva, msg); }

int64_t ipc_send(int32_t envid, uint64_t value, uintptr_t srcva, uint64_t perm) {
    for (;;) {
        int64_t r = sys_ipc_send(envid, value, srcva, perm);
        if (r != E_IPC_NOT_RECV) return r;
        // Give the receiver the rest of our slice to reach its ipc_recv
        // (Lab 6's directed yield); if it cannot run now, wait our turn.
        if (sys_yield_to(envid) < 0) sys_yield();
    }
}
