// ELF64 headers, as far as loading a static executable needs them: the
// kernel's loader (Lab 3) and the library OS's (Lab 5, lib/spawn.cc).
#pragma once
#include "lib/types.hh"

namespace elf {

constexpr uint32_t magic = 0x464C457F;  // "\x7FELF" read little-endian
constexpr uint8_t class64 = 2;
constexpr uint16_t type_exec = 2;
constexpr uint16_t machine_x86_64 = 62;
constexpr uint32_t segment_load = 1;
// Program header flags.
constexpr uint32_t segment_execute = 1, segment_write = 2;

struct FileHeader {
    uint32_t magic;
    uint8_t elf_class, data, version, os_abi;
    uint8_t padding[8];
    uint16_t type, machine;
    uint32_t version2;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct ProgramHeader {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

}  // namespace elf
