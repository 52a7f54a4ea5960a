// Unit tests for the kernel's printf (lib/printfmt.cc): vformat, vsnprintf,
// snprintf and format_digits, mostly checked against the host C library.
//
// A naming trap shapes this file. lib/printfmt.hh declares
//     int snprintf(char*, size_t, const char*, ...);
//     int vsnprintf(char*, size_t, const char*, va_list);
// at global scope with C++ linkage, so printfmt.cc defines the mangled
// symbols _Z8snprintfPcmPKcz and _Z9vsnprintfPcmPKcP13__va_list_tag. On the
// host, <stdio.h> declares the same signatures with "C" linkage, and gtest
// pulls <stdio.h> in. Then, in one translation unit:
//   * if lib/printfmt.hh comes first, the compile fails ("conflicting
//     declaration ... with 'C' linkage");
//   * if <stdio.h> comes first (as here), the header's declarations quietly
//     become redeclarations of the libc functions ([dcl.link]), so a plain
//     call to snprintf() runs glibc's, never ExoKit's.
// So this file includes <cstdio> before lib/printfmt.hh, calls libc as
// std::snprintf (there is only the one, extern "C", function of that name
// in this file), and reaches ExoKit's two functions through the aliases
// below, bound to their mangled names with GCC asm labels. vformat and
// format_digits have no libc namesakes and are called directly.
#include <gtest/gtest.h>

#include <cinttypes>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>  // must precede lib/printfmt.hh, see above
#include <cstring>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

#include "lib/printfmt.hh"

// ExoKit's snprintf and vsnprintf under names that cannot meet libc's. Tied
// to the x86-64 Itanium ABI mangling: if the header ever renames or moves
// these functions, the link fails loudly rather than testing the wrong code.
int exo_snprintf(char* buf, size_t size, const char* fmt, ...)
    __asm__("_Z8snprintfPcmPKcz") __attribute__((format(printf, 3, 4)));
int exo_vsnprintf(char* buf, size_t size, const char* fmt, va_list ap)
    __asm__("_Z9vsnprintfPcmPKcP13__va_list_tag");

namespace {

// Formats with both libc and ExoKit into roomy buffers and expects the same
// text and the same return value. A macro so that GCC's -Wformat still checks
// every format against its arguments.
#define EXPECT_LIKE_LIBC(...)                                                  \
    do {                                                                       \
        char want_[256], got_[256];                                            \
        std::memset(got_, 'Z', sizeof got_);                                   \
        int want_n_ = std::snprintf(want_, sizeof want_, __VA_ARGS__);         \
        int got_n_ = exo_snprintf(got_, sizeof got_, __VA_ARGS__);             \
        EXPECT_STREQ(got_, want_) << "snprintf(" #__VA_ARGS__ ")";             \
        EXPECT_EQ(got_n_, want_n_) << "snprintf(" #__VA_ARGS__ ")";            \
    } while (0)

// The same comparison with the format passed at run time, which GCC cannot
// check. Only for formats that are valid C but draw a -Wformat warning
// because a flag in them is redundant (e.g. "%-05d": '0' ignored with '-').
template <typename... Args>
void expect_like_libc_unchecked(const char* format, Args... args) {
    char want[256], got[256];
    int want_n = std::snprintf(want, sizeof want, format, args...);
    int got_n = exo_snprintf(got, sizeof got, format, args...);
    EXPECT_STREQ(got, want) << "format: " << format;
    EXPECT_EQ(got_n, want_n) << "format: " << format;
}

// A FormatSink that appends to a std::string, to watch vformat directly.
struct StringSink {
    FormatSink base{&StringSink::put};
    std::string text;
    static void put(FormatSink* self, char c) {
        reinterpret_cast<StringSink*>(self)->text.push_back(c);
    }
};

// vformat into a string, also checking that its count matches what it
// emitted. Deliberately not format-checked: it is used for %b and for
// malformed conversions that GCC would (rightly) warn about.
std::string fmt(const char* format, ...) {
    StringSink sink;
    va_list ap;
    va_start(ap, format);
    int n = vformat(&sink.base, format, ap);
    va_end(ap);
    EXPECT_EQ(static_cast<size_t>(n), sink.text.size()) << "format: " << format;
    return sink.text;
}

// Calls ExoKit's vsnprintf, to cover the va_list entry point itself.
int call_vsnprintf(char* buf, size_t size, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = exo_vsnprintf(buf, size, format, ap);
    va_end(ap);
    return n;
}

std::string digits(uint64_t value, unsigned base, bool upper = false) {
    char buf[64];
    size_t n = format_digits(value, base, upper, buf);
    EXPECT_LE(n, sizeof buf);
    return std::string(buf, n);
}

// ------------------------------------------------------------ format_digits

TEST(FormatDigits, Zero) {
    // Zero still has one digit in every base.
    EXPECT_EQ(digits(0, 10), "0");
    EXPECT_EQ(digits(0, 2), "0");
    EXPECT_EQ(digits(0, 16), "0");
}

TEST(FormatDigits, CommonBases) {
    EXPECT_EQ(digits(1234567890, 10), "1234567890");
    EXPECT_EQ(digits(0xdeadbeef, 16), "deadbeef");
    EXPECT_EQ(digits(0xdeadbeef, 16, true), "DEADBEEF");
    EXPECT_EQ(digits(0755, 8), "755");
    EXPECT_EQ(digits(5, 2), "101");
    EXPECT_EQ(digits(35, 3), "1022");
}

TEST(FormatDigits, UpperOnlyAffectsLetters) {
    EXPECT_EQ(digits(0x1234, 16, true), "1234");
    EXPECT_EQ(digits(255, 10, true), "255");
}

TEST(FormatDigits, Extremes) {
    EXPECT_EQ(digits(UINT64_MAX, 10), "18446744073709551615");
    EXPECT_EQ(digits(UINT64_MAX, 16), "ffffffffffffffff");
    EXPECT_EQ(digits(UINT64_MAX, 8), "1777777777777777777777");
    // The longest output there is: 64 binary ones, exactly filling buf.
    EXPECT_EQ(digits(UINT64_MAX, 2), std::string(64, '1'));
    EXPECT_EQ(digits(uint64_t{1} << 63, 2), "1" + std::string(63, '0'));
}

TEST(FormatDigits, DoesNotWritePastItsDigits) {
    // No terminator: bytes after the digits are left alone.
    char buf[64];
    std::memset(buf, '#', sizeof buf);
    ASSERT_EQ(format_digits(42, 10, false, buf), 2u);
    EXPECT_EQ(buf[0], '4');
    EXPECT_EQ(buf[1], '2');
    EXPECT_EQ(buf[2], '#');
}

// ------------------------------------------------------- integers vs. libc

TEST(PrintfLikeLibc, PlainText) {
    EXPECT_LIKE_LIBC("hello, world");
    EXPECT_LIKE_LIBC("%s", "");
    EXPECT_LIKE_LIBC("100%% sure, %d%%", 50);
    EXPECT_LIKE_LIBC("%%%%");
}

TEST(PrintfLikeLibc, SignedDecimal) {
    for (int v : {0, 1, -1, 7, -7, 42, 1000000, -1000000, INT_MAX, INT_MIN}) {
        EXPECT_LIKE_LIBC("%d", v);
        EXPECT_LIKE_LIBC("%i", v);
        EXPECT_LIKE_LIBC("[%8d]", v);
        EXPECT_LIKE_LIBC("[%-8d]", v);
        EXPECT_LIKE_LIBC("[%08d]", v);
        EXPECT_LIKE_LIBC("[%+d]", v);
        EXPECT_LIKE_LIBC("[% d]", v);
        EXPECT_LIKE_LIBC("[%+08d]", v);
        EXPECT_LIKE_LIBC("[% 08d]", v);
        EXPECT_LIKE_LIBC("[%-+8d]", v);
        EXPECT_LIKE_LIBC("[%.5d]", v);
        EXPECT_LIKE_LIBC("[%10.5d]", v);
        EXPECT_LIKE_LIBC("[%-10.5d]", v);
        EXPECT_LIKE_LIBC("[%+.3i]", v);
        // '0' is ignored when a precision is given.
        expect_like_libc_unchecked("[%010.5d]", v);
    }
}

TEST(PrintfLikeLibc, ConflictingFlags) {
    // '-' beats '0', '+' beats ' ', whatever their order.
    expect_like_libc_unchecked("[%-06d]", 42);
    expect_like_libc_unchecked("[%0-6d]", -42);
    expect_like_libc_unchecked("[% +d]", 42);
    expect_like_libc_unchecked("[%+ d]", 42);
    expect_like_libc_unchecked("[%+ 5d]", -42);
    // Repeated flags are harmless.
    expect_like_libc_unchecked("[%--5d]", 1);
    expect_like_libc_unchecked("[%005d]", 1);
}

TEST(PrintfLikeLibc, Unsigned) {
    for (unsigned v : {0u, 1u, 9u, 10u, 255u, 256u, 0x7fffffffu, 0x80000000u, UINT_MAX}) {
        EXPECT_LIKE_LIBC("%u %x %X %o", v, v, v, v);
        EXPECT_LIKE_LIBC("[%10u|%-10x|%010X|%10o]", v, v, v, v);
        EXPECT_LIKE_LIBC("[%.6u|%.6x|%8.6X|%-8.6o]", v, v, v, v);
        expect_like_libc_unchecked("[%012.3x]", v);
    }
}

TEST(PrintfLikeLibc, ZeroWithPrecisionZeroPrintsNoDigits) {
    EXPECT_LIKE_LIBC("[%.0d]", 0);
    EXPECT_LIKE_LIBC("[%.0i]", 0);
    EXPECT_LIKE_LIBC("[%.0u]", 0u);
    EXPECT_LIKE_LIBC("[%.0x]", 0u);
    EXPECT_LIKE_LIBC("[%.0X]", 0u);
    EXPECT_LIKE_LIBC("[%.0o]", 0u);
    EXPECT_LIKE_LIBC("[%.d]", 0);  // "." alone means precision 0
    EXPECT_LIKE_LIBC("[%5.0d]", 0);
    EXPECT_LIKE_LIBC("[%-5.0x]", 0u);
    EXPECT_LIKE_LIBC("[%+.0d]", 0);  // the sign survives
    EXPECT_LIKE_LIBC("[% .0d]", 0);
    // Only zero loses its digits.
    EXPECT_LIKE_LIBC("[%.0d]", 1);
    EXPECT_LIKE_LIBC("[%.0x]", 0x10u);
}

TEST(PrintfLikeLibc, SizeModifiers) {
    // hh and h truncate to char and short, and sign-extend for %d.
    EXPECT_LIKE_LIBC("%hhd %hhd %hhd", 200, -129, 127);
    EXPECT_LIKE_LIBC("%hhu %hhx %hho", 0x1ff, 0x1ff, 0x1ff);
    EXPECT_LIKE_LIBC("%hd %hd %hd", 40000, -32769, 32767);
    EXPECT_LIKE_LIBC("%hu %hx %hX", 0x12345, 0x12345, 0xfffff);
    // l, ll and z are 64 bits on x86-64.
    EXPECT_LIKE_LIBC("%ld %ld", LONG_MAX, LONG_MIN);
    EXPECT_LIKE_LIBC("%lu %lx %lo", ULONG_MAX, ULONG_MAX, ULONG_MAX);
    EXPECT_LIKE_LIBC("%lld %lld", LLONG_MAX, LLONG_MIN);
    EXPECT_LIKE_LIBC("%llu %llX", ULLONG_MAX, 0x123456789abcdefULL);
    EXPECT_LIKE_LIBC("%zu %zx %zd", SIZE_MAX, size_t{0xfeedface12}, static_cast<ssize_t>(-5));
    EXPECT_LIKE_LIBC("%td %tx", static_cast<ptrdiff_t>(-123456789012),
                     static_cast<ptrdiff_t>(0xabc));
    // Mixed sizes in one format keep the va_list in step.
    EXPECT_LIKE_LIBC("%hhd|%ld|%d|%llx|%hu|%zu", 1, 2L, 3, 4ULL, 5, size_t{6});
}

TEST(PrintfLikeLibc, Int64Extremes) {
    // INT64_MIN's magnitude does not fit in int64_t: the classic trap.
    EXPECT_LIKE_LIBC("%" PRId64, INT64_MIN);
    EXPECT_LIKE_LIBC("%" PRIi64, INT64_MIN);
    EXPECT_LIKE_LIBC("[%30" PRId64 "]", INT64_MIN);
    EXPECT_LIKE_LIBC("[%-30" PRId64 "]", INT64_MIN);
    EXPECT_LIKE_LIBC("[%030" PRId64 "]", INT64_MIN);
    EXPECT_LIKE_LIBC("[%.25" PRId64 "]", INT64_MIN);
    EXPECT_LIKE_LIBC("%" PRId64 " %" PRId64, INT64_MAX, INT64_MIN + 1);
    EXPECT_LIKE_LIBC("%" PRIu64 " %" PRIx64 " %" PRIo64, UINT64_MAX, UINT64_MAX, UINT64_MAX);
}

TEST(PrintfLikeLibc, StarWidthAndPrecision) {
    EXPECT_LIKE_LIBC("[%*d]", 6, 42);
    EXPECT_LIKE_LIBC("[%-*d]", 6, 42);
    EXPECT_LIKE_LIBC("[%0*d]", 6, -42);
    // A negative * width means '-' and its magnitude.
    EXPECT_LIKE_LIBC("[%*d]", -6, 42);
    EXPECT_LIKE_LIBC("[%0*d]", -6, 42);
    EXPECT_LIKE_LIBC("[%.*d]", 4, 7);
    EXPECT_LIKE_LIBC("[%.*d]", 0, 0);
    // A negative * precision counts as none, so '0' applies again.
    EXPECT_LIKE_LIBC("[%.*d]", -3, 7);
    expect_like_libc_unchecked("[%08.*d]", -1, 7);
    EXPECT_LIKE_LIBC("[%*.*x]", 10, 6, 0xabcu);
    EXPECT_LIKE_LIBC("[%-*.*s]", 8, 3, "abcdef");
    EXPECT_LIKE_LIBC("[%*s|%*s]", 4, "a", -4, "b");
    // The * arguments are taken in order with the values.
    EXPECT_LIKE_LIBC("%*d %s %.*s %c", 3, 1, "two", 2, "three", 'f');
}

TEST(PrintfLikeLibc, WideWidth) {
    EXPECT_LIKE_LIBC("[%200d]", -1);
    EXPECT_LIKE_LIBC("[%-200x]", 0xffu);
}

// ------------------------------------------------- strings, chars, pointers

TEST(PrintfLikeLibc, Strings) {
    EXPECT_LIKE_LIBC("%s", "kernel");
    EXPECT_LIKE_LIBC("[%10s]", "kernel");
    EXPECT_LIKE_LIBC("[%-10s]", "kernel");
    EXPECT_LIKE_LIBC("[%3s]", "kernel");  // width never truncates
    EXPECT_LIKE_LIBC("[%.3s]", "kernel");
    EXPECT_LIKE_LIBC("[%.0s]", "kernel");
    EXPECT_LIKE_LIBC("[%.10s]", "kernel");
    EXPECT_LIKE_LIBC("[%8.2s]", "kernel");
    EXPECT_LIKE_LIBC("[%-8.2s]", "kernel");
    EXPECT_LIKE_LIBC("[%5s]", "");
    EXPECT_LIKE_LIBC("%s=%s", "key", "value");
}

// With a precision, %s may print an unterminated array: the byte past the
// precision must never be read (here it would be a PROT_NONE page).
TEST(Printf, PrecisionStopsReadingAString) {
    // With a precision, the string need not be terminated at all.
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* map = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(map, MAP_FAILED);
    char* base = static_cast<char*>(map);
    ASSERT_EQ(mprotect(base + page, page, PROT_NONE), 0);
    char* unterminated = base + page - 4;  // the last 4 readable bytes
    std::memcpy(unterminated, "abcd", 4);

    char got[16];
    EXPECT_EQ(exo_snprintf(got, sizeof got, "[%.4s]", unterminated), 6);
    EXPECT_STREQ(got, "[abcd]");
    EXPECT_EQ(exo_snprintf(got, sizeof got, "[%.2s]", unterminated + 2), 4);
    EXPECT_STREQ(got, "[cd]");
    munmap(map, 2 * page);
}

TEST(PrintfLikeLibc, PrecisionShortensAString) {
    // The part of the above that holds today: a terminated string is cut at
    // the precision.
    char got[16];
    EXPECT_EQ(exo_snprintf(got, sizeof got, "[%.4s]", "abcdef"), 6);
    EXPECT_STREQ(got, "[abcd]");
}

TEST(PrintfLikeLibc, Chars) {
    EXPECT_LIKE_LIBC("%c%c%c", 'a', 'b', 'c');
    EXPECT_LIKE_LIBC("[%5c]", 'x');
    EXPECT_LIKE_LIBC("[%-5c]", 'x');
    EXPECT_LIKE_LIBC("[%c]", 0x141);  // converted to unsigned char
    EXPECT_LIKE_LIBC("[%*c]", 3, '%');
}

TEST(Printf, NulCharIsCountedAndStored) {
    char got[8];
    std::memset(got, 'Z', sizeof got);
    EXPECT_EQ(exo_snprintf(got, sizeof got, "a%cb", 0), 3);
    EXPECT_EQ(std::memcmp(got, "a\0b\0", 4), 0);
}

TEST(PrintfLikeLibc, NonNullPointers) {
    // For non-null pointers glibc's "0x" + lowercase hex agrees with ours.
    int object = 0;
    EXPECT_LIKE_LIBC("%p", static_cast<void*>(&object));
    EXPECT_LIKE_LIBC("%p", reinterpret_cast<void*>(0x1));
    EXPECT_LIKE_LIBC("%p", reinterpret_cast<void*>(0xdeadbeef));
    EXPECT_LIKE_LIBC("%p", reinterpret_cast<void*>(UINTPTR_MAX));
    EXPECT_LIKE_LIBC("%p", reinterpret_cast<void*>(0xffffffff80100000));
    EXPECT_LIKE_LIBC("[%24p]", reinterpret_cast<void*>(0xabcdef));
    EXPECT_LIKE_LIBC("[%-24p]", reinterpret_cast<void*>(0xabcdef));
}

TEST(Printf, PointerFormat) {
    // Ours differs from glibc on null: "0x0", where glibc says "(nil)".
    char got[64];
    EXPECT_EQ(exo_snprintf(got, sizeof got, "%p", static_cast<void*>(nullptr)), 3);
    EXPECT_STREQ(got, "0x0");
    // No zero padding to 16 digits, and never uppercase.
    exo_snprintf(got, sizeof got, "%p", reinterpret_cast<void*>(0xABC));
    EXPECT_STREQ(got, "0xabc");
    exo_snprintf(got, sizeof got, "[%6p]", static_cast<void*>(nullptr));
    EXPECT_STREQ(got, "[   0x0]");
    // '+' and ' ' mean nothing for a pointer.
    EXPECT_EQ(fmt("%+p|% p", reinterpret_cast<void*>(0x10), reinterpret_cast<void*>(0x10)),
              "0x10|0x10");
}

TEST(Printf, NullStringPrintsNull) {
    const char* volatile null_string = nullptr;  // volatile: no compile-time null warning
    char got[64];
    EXPECT_EQ(exo_snprintf(got, sizeof got, "%s", null_string), 6);
    EXPECT_STREQ(got, "(null)");
    exo_snprintf(got, sizeof got, "[%8s|%-8s]", null_string, null_string);
    EXPECT_STREQ(got, "[  (null)|(null)  ]");
    // A precision applies to the replacement text like to any string.
    exo_snprintf(got, sizeof got, "[%.3s]", null_string);
    EXPECT_STREQ(got, "[(nu]");
}

// ------------------------------------------------------------------- %b

TEST(Printf, Binary) {
    // %b is new in C23 (glibc only has it since 2.35), so rather than depend
    // on the host's libc the expectations are written out by hand.
    EXPECT_EQ(fmt("%b", 0u), "0");
    EXPECT_EQ(fmt("%b", 1u), "1");
    EXPECT_EQ(fmt("%b", 5u), "101");
    EXPECT_EQ(fmt("%b", 0xf0u), "11110000");
    EXPECT_EQ(fmt("%b", UINT_MAX), std::string(32, '1'));
    EXPECT_EQ(fmt("%lb", ~0UL), std::string(64, '1'));
    EXPECT_EQ(fmt("%llb", 1ULL << 63), "1" + std::string(63, '0'));
    EXPECT_EQ(fmt("%hhb", 0x1ffu), "11111111");
    EXPECT_EQ(fmt("%hb", 0x18001u), "1000000000000001");
    EXPECT_EQ(fmt("%zb", size_t{6}), "110");
}

TEST(Printf, BinaryWithFlags) {
    EXPECT_EQ(fmt("[%8b]", 5u), "[     101]");
    EXPECT_EQ(fmt("[%-8b]", 5u), "[101     ]");
    EXPECT_EQ(fmt("[%08b]", 5u), "[00000101]");
    EXPECT_EQ(fmt("[%.4b]", 5u), "[0101]");
    EXPECT_EQ(fmt("[%.0b]", 0u), "[]");
    EXPECT_EQ(fmt("[%*b]", 4, 1u), "[   1]");
    // Unsigned, so '+' and ' ' are ignored.
    EXPECT_EQ(fmt("[%+b|% b]", 3u, 3u), "[11|11]");
}

// -------------------------------------------------- unknown conversions

TEST(Printf, UnknownConversionShownVerbatim) {
    // The whole conversion, flags and all, so a typo is easy to spot.
    EXPECT_EQ(fmt("%y"), "%y");
    EXPECT_EQ(fmt("a%yb"), "a%yb");
    EXPECT_EQ(fmt("[%-08.3ly]"), "[%-08.3ly]");
    EXPECT_EQ(fmt("%q then %d", 5), "%q then 5");  // no argument consumed
    EXPECT_EQ(fmt("%#x", 0x1fu), "%#x");  // '#' is not supported
    EXPECT_EQ(fmt("%f", 1.5), "%f");      // nor is floating point
}

TEST(Printf, FormatEndingInsideAConversion) {
    // A truncated conversion at the end must not run past the terminator.
    EXPECT_EQ(fmt("abc%"), "abc%");
    EXPECT_EQ(fmt("abc%5"), "abc%5");
    EXPECT_EQ(fmt("abc%-0"), "abc%-0");
    EXPECT_EQ(fmt("abc%.3"), "abc%.3");
    EXPECT_EQ(fmt("abc%l"), "abc%l");
    EXPECT_EQ(fmt("abc%hh"), "abc%hh");
}

// --------------------------------------------------- vformat and the sink

TEST(Vformat, SinkSeesEveryCharacterAndNoTerminator) {
    // fmt() checks vformat's count against what reached the sink.
    EXPECT_EQ(fmt(""), "");
    EXPECT_EQ(fmt("%s=%d", "x", -3), "x=-3");
    EXPECT_EQ(fmt("%300d", 1).size(), 300u);
}

// ------------------------------------------------ buffers and truncation

TEST(Snprintf, TruncatesAndReturnsFullLength) {
    char buf[8];
    std::memset(buf, 'Z', sizeof buf);
    // Returns the length it would have written, like C's snprintf.
    EXPECT_EQ(exo_snprintf(buf, sizeof buf, "%s-%d", "truncated", 12345), 15);
    EXPECT_STREQ(buf, "truncat");  // size - 1 chars and a NUL
}

TEST(Snprintf, EveryBufferSizeMatchesLibc) {
    // Each size from 1 to past the end: same text, same return, NUL-terminated,
    // and nothing written beyond size.
    for (size_t size = 1; size <= 24; ++size) {
        char want[32], got[32];
        std::memset(got, 'Z', sizeof got);
        int want_n = std::snprintf(want, size, "[%-6s|%+05d|%x]", "ab", 42, 0xbeefu);
        int got_n = exo_snprintf(got, size, "[%-6s|%+05d|%x]", "ab", 42, 0xbeefu);
        EXPECT_EQ(got_n, want_n) << "size " << size;
        EXPECT_STREQ(got, want) << "size " << size;
        for (size_t i = size; i < sizeof got; ++i)
            ASSERT_EQ(got[i], 'Z') << "wrote byte " << i << " with size " << size;
    }
}

TEST(Snprintf, SizeOneHoldsOnlyTheTerminator) {
    char buf[4] = {'Z', 'Z', 'Z', 'Z'};
    EXPECT_EQ(exo_snprintf(buf, 1, "hello"), 5);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'Z');
}

TEST(Snprintf, SizeZeroWritesNothing) {
    char buf[4] = {'Z', 'Z', 'Z', 'Z'};
    EXPECT_EQ(exo_snprintf(buf, 0, "%d", 123456), 6);
    for (char c : buf) EXPECT_EQ(c, 'Z');
    // C allows a null buffer with size 0, to measure the output.
    EXPECT_EQ(exo_snprintf(nullptr, 0, "%s%s", "abc", "de"), 5);
}

TEST(Snprintf, ExactFit) {
    char buf[6];
    EXPECT_EQ(exo_snprintf(buf, sizeof buf, "%d", 12345), 5);
    EXPECT_STREQ(buf, "12345");
    EXPECT_EQ(exo_snprintf(buf, sizeof buf, "%d", 123456), 6);
    EXPECT_STREQ(buf, "12345");
}

TEST(Snprintf, EmptyOutputIsTerminated) {
    char buf[4] = {'Z', 'Z', 'Z', 'Z'};
    EXPECT_EQ(exo_snprintf(buf, sizeof buf, "%s", ""), 0);
    EXPECT_EQ(buf[0], '\0');
}

TEST(Vsnprintf, TakesAVaList) {
    char buf[16];
    EXPECT_EQ(call_vsnprintf(buf, sizeof buf, "%s:%x:%c", "ab", 0x2au, 'z'), 7);
    EXPECT_STREQ(buf, "ab:2a:z");
    EXPECT_EQ(call_vsnprintf(buf, 4, "%d", -123456), 7);
    EXPECT_STREQ(buf, "-12");
}

}  // namespace
