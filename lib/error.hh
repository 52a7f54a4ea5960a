// Error codes, shared by the kernel and the library OS. Kernel functions
// and syscalls return 0 (or a value) on success and a negative code on
// failure.
#pragma once

enum Error : int {
    E_OK = 0,
    E_INVAL = -1,      // an argument is out of range or malformed
    E_NO_MEM = -2,     // out of physical memory
    E_FAULT = -3,      // a user pointer is unmapped, not user, or not writable
    E_BAD_ENV = -4,    // no such environment, or a stale id
    E_NO_SYS = -5,     // no such system call
    E_PERM = -6,       // not allowed to touch that resource
    E_NO_FREE_ENV = -7,
    E_BUSY = -8,       // the frame or time slice asked for is taken
    E_IPC_NOT_RECV = -9,  // the target of ipc_send is not waiting in ipc_recv
    E_NO_SLOT = -10,   // no free time slice (Lab 6)
};

const char* error_name(int code);
