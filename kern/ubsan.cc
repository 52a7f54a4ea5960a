// The runtime of the undefined-behaviour sanitizer (make SAN=1): the
// handlers GCC calls when a check fails. Each names the kind of undefined
// behaviour and its values, then panics at the faulty source line (so the
// panic's file:line is that line, not this file). The build uses
// -fno-sanitize-recover, so GCC calls the noreturn _abort handlers; nothing
// continues after undefined behaviour.
//
// The data GCC passes follows libubsan's ABI: a source location, then type
// descriptors and check-specific fields, laid out as below.
#include "kern/assert.hh"
#include "lib/printfmt.hh"

namespace {

struct SourceLocation {
    const char* file;
    uint32_t line;
    uint32_t column;
};

struct TypeDescriptor {
    uint16_t kind;          // 0 integer, 1 float, 0xffff anything else
    uint16_t info;          // integers: log2(bit width) << 1 | signed
    char name[];            // quoted, as in "'int'"

    bool is_integer() const { return kind == 0; }
    bool is_signed() const { return info & 1; }
    unsigned bits() const { return 1u << (info >> 1); }
};

// A value the check saw: inline if it fits in a pointer, else its address.
using ValueHandle = uintptr_t;

struct OverflowData {       // + - * / % and unary -
    SourceLocation loc;
    const TypeDescriptor* type;
};
struct ShiftData {
    SourceLocation loc;
    const TypeDescriptor* lhs_type;
    const TypeDescriptor* rhs_type;
};
struct OutOfBoundsData {
    SourceLocation loc;
    const TypeDescriptor* array_type;
    const TypeDescriptor* index_type;
};
struct TypeMismatchData {   // null, misaligned, or too small for the type
    SourceLocation loc;
    const TypeDescriptor* type;
    uint8_t log_alignment;
    uint8_t check_kind;     // an index into access_kinds
};
struct InvalidValueData {   // a bool or enum holding an impossible value
    SourceLocation loc;
    const TypeDescriptor* type;
};
struct LocationData {       // unreachable, missing return, pointer overflow
    SourceLocation loc;
};
struct VlaBoundData {
    SourceLocation loc;
    const TypeDescriptor* type;
};
struct NonNullArgData {
    SourceLocation loc;
    SourceLocation attr_loc;
    int arg_index;          // from 1
};
struct NonNullReturnData {
    SourceLocation attr_loc;
};
struct InvalidBuiltinData {
    SourceLocation loc;
    uint8_t kind;           // 0 ctz, 1 clz
};

const char* const access_kinds[] = {
    "load of", "store to", "reference binding to", "member access within",
    "member call on", "constructor call on", "downcast of", "downcast of",
    "upcast of", "cast to virtual base of",
};

// The value's low 64 bits, sign-extended if its type is signed.
int64_t as_int64(const TypeDescriptor* type, ValueHandle v) {
    // Wider than a pointer: the handle is its address.
    if (type->bits() > 64) return *reinterpret_cast<const int64_t*>(v);
    unsigned unused = 64 - type->bits();
    if (type->is_signed()) return static_cast<int64_t>(v << unused) >> unused;
    return static_cast<int64_t>(v);
}

// A value as text, signed or unsigned as its type says. Passed as a
// temporary argument, it lives until the report is printed.
struct Value {
    char text[48];
    Value(const TypeDescriptor* type, ValueHandle v) {
        if (!type->is_integer()) {
            snprintf(text, sizeof text, "(a value of type %s)", type->name);
        } else if (type->bits() > 64) {
            auto* words = reinterpret_cast<const uint64_t*>(v);
            snprintf(text, sizeof text, "0x%016lx%016lx", words[1], words[0]);
        } else if (type->is_signed()) {
            snprintf(text, sizeof text, "%ld", as_int64(type, v));
        } else {
            snprintf(text, sizeof text, "%lu", static_cast<uint64_t>(v));
        }
    }
};

[[noreturn]] __attribute__((format(printf, 2, 3)))
void report(const SourceLocation& loc, const char* fmt, ...) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    panic_at(loc.file ? loc.file : "?", static_cast<int>(loc.line),
             "undefined behaviour (column %u): %s", loc.column, what);
}

[[noreturn]] void overflow(const OverflowData* d, ValueHandle lhs, const char* op,
                           ValueHandle rhs) {
    report(d->loc, "%s integer overflow: %s %s %s in type %s",
           d->type->is_signed() ? "signed" : "unsigned", Value(d->type, lhs).text, op,
           Value(d->type, rhs).text, d->type->name);
}

}  // namespace

extern "C" {

[[noreturn]] void __ubsan_handle_add_overflow_abort(const OverflowData* d, ValueHandle a,
                                                    ValueHandle b) {
    overflow(d, a, "+", b);
}
[[noreturn]] void __ubsan_handle_sub_overflow_abort(const OverflowData* d, ValueHandle a,
                                                    ValueHandle b) {
    overflow(d, a, "-", b);
}
[[noreturn]] void __ubsan_handle_mul_overflow_abort(const OverflowData* d, ValueHandle a,
                                                    ValueHandle b) {
    overflow(d, a, "*", b);
}

[[noreturn]] void __ubsan_handle_negate_overflow_abort(const OverflowData* d, ValueHandle v) {
    report(d->loc, "negation of %s overflows type %s", Value(d->type, v).text, d->type->name);
}

[[noreturn]] void __ubsan_handle_divrem_overflow_abort(const OverflowData* d, ValueHandle a,
                                                       ValueHandle b) {
    if (as_int64(d->type, b) == 0) report(d->loc, "division by zero in type %s", d->type->name);
    // The other way: the most negative value divided by -1.
    report(d->loc, "division overflow: %s / %s in type %s", Value(d->type, a).text,
           Value(d->type, b).text, d->type->name);
}

[[noreturn]] void __ubsan_handle_shift_out_of_bounds_abort(const ShiftData* d, ValueHandle a,
                                                           ValueHandle b) {
    int64_t exponent = as_int64(d->rhs_type, b);
    if (exponent < 0 || static_cast<uint64_t>(exponent) >= d->lhs_type->bits())
        report(d->loc, "shift exponent %s is out of range for %u-bit type %s",
               Value(d->rhs_type, b).text, d->lhs_type->bits(), d->lhs_type->name);
    // C++20 defines every in-range left shift of an integer, so this is
    // only for completeness (GCC checks the base in older dialects).
    report(d->loc, "left shift of %s by %s places overflows type %s", Value(d->lhs_type, a).text,
           Value(d->rhs_type, b).text, d->lhs_type->name);
}

[[noreturn]] void __ubsan_handle_out_of_bounds_abort(const OutOfBoundsData* d, ValueHandle i) {
    report(d->loc, "index %s is out of bounds for type %s", Value(d->index_type, i).text,
           d->array_type->name);
}

[[noreturn]] void __ubsan_handle_type_mismatch_v1_abort(const TypeMismatchData* d,
                                                        ValueHandle pointer) {
    const char* access = d->check_kind < sizeof access_kinds / sizeof access_kinds[0]
                             ? access_kinds[d->check_kind] : "access to";
    uintptr_t alignment = uintptr_t{1} << d->log_alignment;
    if (pointer == 0)
        report(d->loc, "%s null pointer of type %s", access, d->type->name);
    if (pointer & (alignment - 1))
        report(d->loc, "%s misaligned address 0x%lx for type %s, which needs %lu-byte alignment",
               access, pointer, d->type->name, alignment);
    // -fsanitize=object-size: the object is smaller than the type.
    report(d->loc, "%s address 0x%lx with too little space for an object of type %s", access,
           pointer, d->type->name);
}

[[noreturn]] void __ubsan_handle_load_invalid_value_abort(const InvalidValueData* d,
                                                          ValueHandle v) {
    report(d->loc, "load of value %s, which is not a valid value for type %s",
           Value(d->type, v).text, d->type->name);
}

[[noreturn]] void __ubsan_handle_pointer_overflow_abort(const LocationData* d, ValueHandle base,
                                                        ValueHandle result) {
    report(d->loc, "pointer arithmetic on 0x%lx wrapped around to 0x%lx", base, result);
}

[[noreturn]] void __ubsan_handle_vla_bound_not_positive_abort(const VlaBoundData* d,
                                                              ValueHandle bound) {
    report(d->loc, "variable-length array bound %s is not positive", Value(d->type, bound).text);
}

[[noreturn]] void __ubsan_handle_nonnull_arg_abort(const NonNullArgData* d) {
    report(d->loc, "null pointer passed as argument %d, which is declared never null",
           d->arg_index);
}

[[noreturn]] void __ubsan_handle_nonnull_return_v1_abort(const NonNullReturnData*,
                                                         const SourceLocation* loc) {
    report(*loc, "null pointer returned from a function declared never to return null");
}

[[noreturn]] void __ubsan_handle_invalid_builtin_abort(const InvalidBuiltinData* d) {
    report(d->loc, "zero passed to %s, whose result is then undefined",
           d->kind == 0 ? "__builtin_ctz" : "__builtin_clz");
}

[[noreturn]] void __ubsan_handle_builtin_unreachable(const LocationData* d) {
    report(d->loc, "execution reached __builtin_unreachable()");
}

[[noreturn]] void __ubsan_handle_missing_return(const LocationData* d) {
    report(d->loc, "control reached the end of a function that must return a value");
}

}  // extern "C"
