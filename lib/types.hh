// Fixed-width types for freestanding code (kernel and user). Host builds
// of the same files get them from the compiler's own headers.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
