// spawnargs: spawn with arguments. Spawns echoargs with argv = { "echoargs",
// x in hex, y in decimal, a word of k letters }, x, y and k derived from
// the argument; echoargs exits with a function of what it received (see
// user/echoargs.cc), which the grader checks. An unknown program is
// refused.
#include "lib/printfmt.hh"
#include "user/lab5.hh"

namespace {
const char* program_name = "spawnargs";
int check_number = 0;
}  // namespace

uint64_t umain(uint64_t arg) {
    uint64_t x = arg & 0xFFFFFF, y = (arg >> 24) & 0xFFFF, k = 1 + (arg >> 40) % 40;
    char x_text[24], y_text[24], word[48];
    snprintf(x_text, sizeof x_text, "0x%lx", x);
    snprintf(y_text, sizeof y_text, "%lu", y);
    for (uint64_t i = 0; i < k; ++i) word[i] = static_cast<char>('a' + (arg + i) % 26);
    word[k] = 0;
    const char* argv[] = {"echoargs", x_text, y_text, word, nullptr};
    int32_t child = spawn("echoargs", argv);
    CHECK(child > 0, true);
    grader_report(report_value, static_cast<uint64_t>(child), 0);
    const char* none[] = {"nosuchprogram", nullptr};
    CHECK(spawn("nosuchprogram", none), E_INVAL);
    return arg ^ ok_status;
}
