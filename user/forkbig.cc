// forkbig: fork of a large address space. 4 MiB (and a little) from malloc,
// filled with a pattern from the argument, then fork: the child checks
// every byte, writes its own pattern over all of it and checks again; the
// parent checks every byte before and after the child has finished, then
// writes half of it. Every frame comes back at the end.
#include "user/lab5.hh"

namespace {
const char* program_name = "forkbig";
int check_number = 0;
constexpr size_t bytes = (4u << 20) + 3 * 4096 + 123;
constexpr uintptr_t shared_page = 0x30000000;
}  // namespace

uint64_t pattern(uint64_t seed, size_t i) {
    uint64_t x = (seed + i) * 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}

// The index of the first word that does not match, or -1.
int64_t first_mismatch(const uint64_t* words, size_t n, uint64_t seed) {
    for (size_t i = 0; i < n; ++i)
        if (words[i] != pattern(seed, i)) return static_cast<int64_t>(i);
    return -1;
}

uint64_t umain(uint64_t arg) {
    CHECK(alloc_shared(shared_page), 0);
    auto* child_done = reinterpret_cast<volatile uint64_t*>(shared_page);
    void* small = malloc(100);
    CHECK(small != nullptr, true);
    auto* words = static_cast<uint64_t*>(malloc(bytes));
    CHECK(words != nullptr, true);
    // The allocator does not hand out the same bytes twice.
    CHECK(reinterpret_cast<uintptr_t>(words) >= reinterpret_cast<uintptr_t>(small) + 100 ||
              reinterpret_cast<uintptr_t>(words) + bytes <= reinterpret_cast<uintptr_t>(small),
          true);
    size_t n = bytes / 8;
    for (size_t i = 0; i < n; ++i) words[i] = pattern(arg, i);

    int32_t child = fork();
    CHECK(child >= 0, true);
    CHECK(first_mismatch(words, n, arg), -1);
    if (child == 0) {
        for (size_t i = 0; i < n; ++i) words[i] = pattern(~arg, i);
        CHECK(first_mismatch(words, n, ~arg), -1);
        *child_done = 1;
        return arg ^ ok_status;
    }
    CHECK(wait_until(child_done), true);
    CHECK(first_mismatch(words, n, arg), -1);
    for (size_t i = 0; i < n / 2; ++i) words[i] = pattern(arg + 7, i);
    CHECK(first_mismatch(words, n / 2, arg + 7), -1);
    CHECK(first_mismatch(words + n / 2, n - n / 2, arg + n / 2) == -1, true);
    free(words);
    free(small);
    // Freed space is reused.
    void* again = malloc(bytes);
    CHECK(again == static_cast<void*>(words) || again == small, true);
    return arg ^ ok_status;
}
