#include "lib/error.hh"

const char* error_name(int code) {
    switch (code) {
    case E_OK: return "ok";
    case E_INVAL: return "invalid argument";
    case E_NO_MEM: return "out of memory";
    case E_FAULT: return "bad address";
    case E_BAD_ENV: return "bad environment";
    case E_NO_SYS: return "no such system call";
    case E_PERM: return "permission denied";
    case E_NO_FREE_ENV: return "no free environment";
    case E_BUSY: return "already taken";
    case E_IPC_NOT_RECV: return "receiver not waiting";
    case E_NO_SLOT: return "no free time slice";
    default: return "unknown error";
    }
}
