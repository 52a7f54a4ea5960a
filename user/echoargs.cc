// echoargs: spawned by spawnargs. Exits with
//   x + 3 * y + (k << 32) + (argc << 40) + (name_ok << 44) + (memory_ok << 45)
// for argv = { name, x (any base), y, a word of k letters }: name_ok if
// argv[0] is "echoargs" and argv[argc] is null, memory_ok if its own
// initialized data and bss came out of the loader right.
#include "lib/parse.hh"
#include "lib/string.hh"
#include "user/lab5.hh"

uint64_t initialized[4] = {0x1111, 0x2222, 0x3333, 0x4444};
uint64_t zeroed[1024];

uint64_t umain(int argc, char** argv) {
    uint64_t x = 0, y = 0, k = 0;
    if (argc > 1) parse_u64(argv[1], &x);
    if (argc > 2) parse_u64(argv[2], &y);
    if (argc > 3) k = strlen(argv[3]);
    bool name_ok = argc > 0 && strcmp(argv[0], "echoargs") == 0 && argv[argc] == nullptr;
    bool memory_ok = initialized[0] == 0x1111 && initialized[3] == 0x4444;
    for (uint64_t z : zeroed) memory_ok = memory_ok && z == 0;
    return x + 3 * y + (k << 32) + (uint64_t(argc) << 40) + (uint64_t(name_ok) << 44) +
           (uint64_t(memory_ok) << 45);
}
