// yieldping: directed yield. The root forks B and takes B's slot away, so
// that B runs only when handed a slice. After a sys_yield (a fresh slice of
// its own) the root and B hand the CPU to each other n times (50-177, from
// arg) with sys_yield_to, B echoing each number through a shared page. The
// root reports (report_value) how far the vector turned during the
// exchange and how many hand-offs the kernel counted, destroys B, exits.
// Before that, yield_to the root itself or a child that is not runnable
// must fail.
// Grader expects: exit ok; no turn of the vector during the exchange, 2n
// hand-offs; B never started a slice from the vector, and was handed n.
#include "user/lab6.hh"

namespace {
const char* program_name = "yieldping";
int check_number = 0;
struct Shared {
    uint64_t ping, pong;
};
}  // namespace

uint64_t umain(uint64_t arg) {
    uint64_t rounds = 50 + (arg & 0x7F);
    CHECK(alloc_shared(shared_va), 0);
    auto* shared = reinterpret_cast<volatile Shared*>(shared_va);
    int32_t root = sys_getenvid();
    int32_t b = fork();
    CHECK(b >= 0, true);
    if (b == 0) {
        do shared->pong = shared->ping;
        while (sys_yield_to(root) == 0);
        return arg ^ ok_status;   // only if yield_to is broken: the root then says so
    }
    int64_t release = slices::release_all(b);
    int64_t to_self = sys_yield_to(0), to_own_id = sys_yield_to(root);
    // An exofork child is not runnable until its parent says so.
    int64_t blank = sys_exofork();
    if (blank == 0) sys_exit(0);   // never runs: nobody makes it runnable
    int64_t to_blank = blank > 0 ? sys_yield_to(static_cast<int32_t>(blank)) : blank;
    if (blank > 0) sys_env_destroy(static_cast<int32_t>(blank));
    CHECK(sys_yield(), 0);
    uint64_t turns_before = turns(), handoffs_before = slices::table().handoffs;
    uint64_t echoed = 0;
    int64_t handed = 0;
    for (uint64_t i = 1; i <= rounds && handed == 0; ++i) {
        shared->ping = i ^ arg;
        handed = sys_yield_to(b);
        echoed += shared->pong == (i ^ arg);
    }
    grader_report(report_value, turns() - turns_before, slices::table().handoffs - handoffs_before);
    sys_env_destroy(b);
    CHECK(release, 0);
    CHECK(to_self, E_INVAL);   // not to itself
    CHECK(to_own_id, E_INVAL);
    CHECK(to_blank, E_INVAL);   // not runnable
    CHECK(handed, 0);
    CHECK(echoed, rounds);
    return arg ^ ok_status;
}
