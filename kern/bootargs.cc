#include "kern/bootargs.hh"
#include "lib/parse.hh"

namespace {
bool same(const char* a, const char* b) {
    for (; *a && *a == *b; ++a, ++b) {
    }
    return *a == *b;
}
}  // namespace

void BootArgs::parse(const char* cmdline) {
    size_t n = 0;
    for (; cmdline && cmdline[n] && n + 1 < max_length; ++n) {
        original_[n] = words_[n] = cmdline[n];
    }
    original_[n] = words_[n] = '\0';
    count_ = 0;
    char* p = words_;
    while (*p && count_ < max_args) {
        while (*p == ' ') *p++ = '\0';
        if (!*p) break;
        keys_[count_] = p;
        values_[count_] = "";
        bool has_value = false;
        for (; *p && *p != ' '; ++p) {
            if (*p == '=' && !has_value) {  // the value may itself hold '='
                *p = '\0';
                values_[count_] = p + 1;
                has_value = true;
            }
        }
        if (*p) *p++ = '\0';   // end this word even if it is the last we keep
        ++count_;
    }
}

const char* BootArgs::get(const char* key) const {
    for (size_t i = 0; i < count_; ++i) {
        if (same(keys_[i], key)) return values_[i];
    }
    return nullptr;
}

bool BootArgs::get_u64(const char* key, uint64_t* out) const {
    const char* v = get(key);
    return v && parse_u64(v, out);
}
