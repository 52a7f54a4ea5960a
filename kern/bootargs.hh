// The kernel command line (`-append` in QEMU, multiboot's cmdline): words
// of the form key=value, or a bare key. The grader chooses the self-test,
// the first program and per-run nonces through it.
#pragma once
#include "lib/types.hh"

class BootArgs {
public:
    static constexpr size_t max_length = 512;
    static constexpr size_t max_args = 32;

    // Copies and splits cmdline; words past the limits are ignored.
    void parse(const char* cmdline);
    // The value of key; "" for a bare key; nullptr if absent.
    const char* get(const char* key) const;
    // True if key is present with a number (decimal or 0x hex) as value.
    bool get_u64(const char* key, uint64_t* out) const;
    const char* text() const { return original_; }

private:
    char original_[max_length] = {};
    char words_[max_length] = {};
    const char* keys_[max_args] = {};
    const char* values_[max_args] = {};
    size_t count_ = 0;
};

// The arguments this kernel booted with.
extern BootArgs boot_args;
