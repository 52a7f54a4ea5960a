// The user programs the build embedded in the kernel image.
#pragma once
#include "lib/elf.hh"

struct UserProgram {
    const char* name;
    const uint8_t* image;
    const uint8_t* image_end;

    size_t size() const { return image_end - image; }
    // The ELF header, or nullptr unless the image is a well-formed static
    // x86-64 executable whose program headers lie inside it.
    const elf::FileHeader* header() const;
};

// nullptr if no program has that name.
const UserProgram* find_user_program(const char* name);
// For listings: the table ends with an entry whose name is nullptr.
const UserProgram* user_programs();
