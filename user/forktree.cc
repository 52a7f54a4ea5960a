// forktree: a binary tree of envs made with the library's fork. The depth
// comes from the argument; each env is named by its path from the root
// (bits below a leading 1: the root is 1, its children 10 and 11, ...),
// forks its two children unless it is a leaf, and exits with arg ^ path.
// Grader: the set of env-end records is exactly the full tree, each env's
// parent (from the kernel's records) having the parent path, and every
// frame comes back.
#include "user/lab5.hh"

uint64_t tree_depth(uint64_t arg) { return 2 + (arg >> 8) % 3; }

uint64_t umain(uint64_t arg) {
    uint64_t path = 1, depth = 0, limit = tree_depth(arg);
    while (depth < limit) {
        int32_t left = fork();
        if (left < 0) return arg ^ 0xF0F0;
        if (left == 0) {
            path = path * 2, ++depth;
            continue;
        }
        int32_t right = fork();
        if (right < 0) return arg ^ 0xF0F0;
        if (right == 0) {
            path = path * 2 + 1, ++depth;
            continue;
        }
        break;
    }
    return arg ^ path;
}
