// spawn: a new env running one of the programs the kernel embeds, loaded
// by the library OS itself. The kernel only exposes the images read-only
// (lib/abi.hh, program_table_view) and makes the bindings we ask for.
#pragma once
#include "lib/types.hh"

// Starts program `name` with argv (argv[0] is conventionally the name; the
// array ends with nullptr) as a child of ours. The child's id, or a
// negative Error: E_INVAL for an unknown program, a malformed image, or
// arguments that do not fit in one page. Nothing is left behind on failure.
int32_t spawn(const char* name, const char* const* argv);

// The image of program `name` (nullptr if none) and its size in bytes.
const uint8_t* program_image(const char* name, size_t* size);
