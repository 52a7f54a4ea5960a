// Unit tests for the kernel command line parser (kern/bootargs.cc) and for
// parse_u64 (lib/parse.hh), which BootArgs::get_u64 is built on.
//
// Each test parses into its own BootArgs; the kernel's global boot_args
// (defined in kern/main.cc, which is not part of the host build) is unused.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "kern/bootargs.hh"
#include "lib/parse.hh"

namespace {

BootArgs parsed(const char* cmdline) {
    BootArgs args;
    args.parse(cmdline);
    return args;
}

// "k0=v0 k1=v1 ... k<n-1>=v<n-1>"
std::string numbered_pairs(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        if (i) s += ' ';
        s += "k" + std::to_string(i) + "=v" + std::to_string(i);
    }
    return s;
}

// ------------------------------------------------------------- parse/get

TEST(BootArgs, KeyValuePairs) {
    BootArgs a = parsed("test=backtrace prog=hello nonce=0x1234");
    EXPECT_STREQ(a.get("test"), "backtrace");
    EXPECT_STREQ(a.get("prog"), "hello");
    EXPECT_STREQ(a.get("nonce"), "0x1234");
}

TEST(BootArgs, BareKeyHasEmptyValue) {
    // A bare key is present (not nullptr) with the value "".
    BootArgs a = parsed("quiet panic=reboot verbose");
    ASSERT_NE(a.get("quiet"), nullptr);
    EXPECT_STREQ(a.get("quiet"), "");
    EXPECT_STREQ(a.get("verbose"), "");
    EXPECT_STREQ(a.get("panic"), "reboot");
}

TEST(BootArgs, EmptyValueAfterEquals) {
    BootArgs a = parsed("prog= next=1");
    ASSERT_NE(a.get("prog"), nullptr);
    EXPECT_STREQ(a.get("prog"), "");
    EXPECT_STREQ(a.get("next"), "1");
}

TEST(BootArgs, ValueMayContainEquals) {
    // Only the first '=' separates the key from the value.
    BootArgs a = parsed("expr=a=b=c eq==");
    EXPECT_STREQ(a.get("expr"), "a=b=c");
    EXPECT_STREQ(a.get("eq"), "=");
    EXPECT_EQ(a.get("a"), nullptr);
}

TEST(BootArgs, RepeatedAndSurroundingSpaces) {
    BootArgs a = parsed("   a=1     b=2  c   ");
    EXPECT_STREQ(a.get("a"), "1");
    EXPECT_STREQ(a.get("b"), "2");
    EXPECT_STREQ(a.get("c"), "");
    EXPECT_EQ(a.get(""), nullptr);  // no empty words from the spaces
}

TEST(BootArgs, MissingKey) {
    BootArgs a = parsed("nonce=5 test");
    EXPECT_EQ(a.get("prog"), nullptr);
    // Keys match whole, not by prefix in either direction.
    EXPECT_EQ(a.get("non"), nullptr);
    EXPECT_EQ(a.get("nonce2"), nullptr);
    EXPECT_EQ(a.get("tes"), nullptr);
    EXPECT_EQ(a.get("Test"), nullptr);  // case matters
    // Nor does a key match a value.
    EXPECT_EQ(a.get("5"), nullptr);
}

TEST(BootArgs, FirstOfDuplicateKeysWins) {
    BootArgs a = parsed("prog=first prog=second");
    EXPECT_STREQ(a.get("prog"), "first");
}

TEST(BootArgs, EmptyAndNullCommandLines) {
    BootArgs empty = parsed("");
    EXPECT_EQ(empty.get("test"), nullptr);
    EXPECT_STREQ(empty.text(), "");
    BootArgs spaces = parsed("    ");
    EXPECT_EQ(spaces.get(""), nullptr);
    // Multiboot may give no command line at all.
    BootArgs null = parsed(nullptr);
    EXPECT_EQ(null.get("test"), nullptr);
    EXPECT_STREQ(null.text(), "");
}

TEST(BootArgs, DefaultConstructedIsEmpty) {
    BootArgs a;
    EXPECT_EQ(a.get("test"), nullptr);
    EXPECT_STREQ(a.text(), "");
}

TEST(BootArgs, TextReturnsTheOriginal) {
    // Splitting works on a copy: text() keeps the spaces and '=' intact.
    const char* cmdline = "  test=x  quiet a=b=c ";
    BootArgs a = parsed(cmdline);
    EXPECT_STREQ(a.text(), cmdline);
    EXPECT_STREQ(a.get("a"), "b=c");
    EXPECT_STREQ(a.text(), cmdline);
}

TEST(BootArgs, CopiesTheCommandLine) {
    // The caller's buffer may be reused after parse().
    char cmdline[] = "prog=hello";
    BootArgs a;
    a.parse(cmdline);
    cmdline[5] = 'X';
    EXPECT_STREQ(a.get("prog"), "hello");
    EXPECT_STREQ(a.text(), "prog=hello");
}

TEST(BootArgs, ParsingAgainReplacesEverything) {
    BootArgs a;
    a.parse("old=1 shared=old");
    a.parse("shared=new");
    EXPECT_EQ(a.get("old"), nullptr);
    EXPECT_STREQ(a.get("shared"), "new");
    EXPECT_STREQ(a.text(), "shared=new");
}

// ------------------------------------------------------------------ limits

TEST(BootArgs, UpToMaxArgsWordsAreKept) {
    std::string cmdline = numbered_pairs(BootArgs::max_args);
    BootArgs a = parsed(cmdline.c_str());
    for (size_t i = 0; i < BootArgs::max_args; ++i) {
        std::string key = "k" + std::to_string(i), value = "v" + std::to_string(i);
        EXPECT_STREQ(a.get(key.c_str()), value.c_str()) << key;
    }
}

// Past max_args words the rest is ignored, and the last word kept must
// still be terminated (a bug once let it run on into the ignored rest).
TEST(BootArgs, WordsPastMaxArgsAreIgnored) {
    std::string cmdline = numbered_pairs(BootArgs::max_args + 3);
    BootArgs a = parsed(cmdline.c_str());
    for (size_t i = 0; i < BootArgs::max_args; ++i) {
        std::string key = "k" + std::to_string(i), value = "v" + std::to_string(i);
        EXPECT_STREQ(a.get(key.c_str()), value.c_str()) << key;
    }
    EXPECT_EQ(a.get("k32"), nullptr);
    EXPECT_EQ(a.get("k34"), nullptr);
    EXPECT_EQ(std::string(a.text()), cmdline);  // text() still has it all
}

TEST(BootArgs, BareWordPastMaxArgsLimitStaysTerminated) {
    // The same with bare keys: "a0 a1 ... a32".
    std::string cmdline;
    for (size_t i = 0; i <= BootArgs::max_args; ++i)
        cmdline += "a" + std::to_string(i) + " ";
    BootArgs a = parsed(cmdline.c_str());
    EXPECT_STREQ(a.get("a31"), "");
    EXPECT_EQ(a.get("a32"), nullptr);
}

TEST(BootArgs, WordsPastMaxArgsAreNotFound) {
    // The part of the limit that does hold today: extra words are not keys.
    std::string cmdline = numbered_pairs(BootArgs::max_args + 3);
    BootArgs a = parsed(cmdline.c_str());
    for (size_t i = 0; i + 1 < BootArgs::max_args; ++i) {
        std::string key = "k" + std::to_string(i), value = "v" + std::to_string(i);
        EXPECT_STREQ(a.get(key.c_str()), value.c_str()) << key;
    }
    EXPECT_EQ(a.get("k32"), nullptr);
    EXPECT_EQ(a.get("k33"), nullptr);
    EXPECT_EQ(a.get("k34"), nullptr);
}

TEST(BootArgs, LongCommandLineIsTruncatedSafely) {
    // 2000 characters: parse() keeps max_length - 1 of them and a NUL.
    std::string cmdline = "first=1 long=" + std::string(2000, 'x') + " last=2";
    BootArgs a = parsed(cmdline.c_str());
    std::string text = a.text();
    EXPECT_EQ(text.size(), BootArgs::max_length - 1);
    EXPECT_EQ(text, cmdline.substr(0, BootArgs::max_length - 1));
    EXPECT_STREQ(a.get("first"), "1");
    // The word cut by the limit keeps what fits; words after it are gone.
    ASSERT_NE(a.get("long"), nullptr);
    EXPECT_EQ(std::string(a.get("long")),
              std::string(BootArgs::max_length - 1 - std::string("first=1 long=").size(), 'x'));
    EXPECT_EQ(a.get("last"), nullptr);
}

TEST(BootArgs, CommandLineOfExactlyMaxLengthMinusOne) {
    // The longest command line that fits whole.
    std::string cmdline = "k=" + std::string(BootArgs::max_length - 3, 'v');
    ASSERT_EQ(cmdline.size(), BootArgs::max_length - 1);
    BootArgs a = parsed(cmdline.c_str());
    EXPECT_EQ(std::string(a.text()), cmdline);
    EXPECT_EQ(std::string(a.get("k")), cmdline.substr(2));
}

TEST(BootArgs, TruncationCanSplitAKeyValuePair) {
    // The limit falls right after a key's '=': its value is empty, not junk.
    std::string head(BootArgs::max_length - 1 - 3, 'a');  // a bare word; then " k=" fits
    std::string cmdline = head + " k=" + "value";
    BootArgs a = parsed(cmdline.c_str());
    EXPECT_STREQ(a.get(head.c_str()), "");
    ASSERT_NE(a.get("k"), nullptr);
    EXPECT_STREQ(a.get("k"), "");
}

// ----------------------------------------------------------------- get_u64

TEST(BootArgs, GetU64DecimalAndHex) {
    BootArgs a = parsed("a=42 b=0x2A c=0Xff d=0 e=18446744073709551615 f=0xffffffffffffffff");
    uint64_t v = 0;
    ASSERT_TRUE(a.get_u64("a", &v));
    EXPECT_EQ(v, 42u);
    ASSERT_TRUE(a.get_u64("b", &v));
    EXPECT_EQ(v, 42u);
    ASSERT_TRUE(a.get_u64("c", &v));
    EXPECT_EQ(v, 255u);
    ASSERT_TRUE(a.get_u64("d", &v));
    EXPECT_EQ(v, 0u);
    ASSERT_TRUE(a.get_u64("e", &v));
    EXPECT_EQ(v, UINT64_MAX);
    ASSERT_TRUE(a.get_u64("f", &v));
    EXPECT_EQ(v, UINT64_MAX);
}

TEST(BootArgs, GetU64Failures) {
    BootArgs a = parsed("word=abc bare neg=-1 mixed=12ab hexbad=0xfg "
                        "big=18446744073709551616 bighex=0x10000000000000000");
    // On failure the caller's default is left alone (selftest.cc relies on it).
    uint64_t v = 77;
    EXPECT_FALSE(a.get_u64("word", &v));
    EXPECT_FALSE(a.get_u64("bare", &v));  // "" is not a number
    EXPECT_FALSE(a.get_u64("neg", &v));
    EXPECT_FALSE(a.get_u64("mixed", &v));
    EXPECT_FALSE(a.get_u64("hexbad", &v));
    EXPECT_FALSE(a.get_u64("big", &v));
    EXPECT_FALSE(a.get_u64("bighex", &v));
    EXPECT_FALSE(a.get_u64("missing", &v));
    EXPECT_EQ(v, 77u);
}

// --------------------------------------------------------------- parse_u64

// parse_u64's verdict and value, checking on the way that a failed parse
// leaves *out untouched.
struct Parsed {
    bool ok;
    uint64_t value;
};
Parsed parse(const char* s) {
    uint64_t v = 0xfeedfacecafebeef;  // must survive a failed parse
    bool ok = parse_u64(s, &v);
    if (!ok) {
        EXPECT_EQ(v, 0xfeedfacecafebeefu) << "failed parse wrote *out for \"" << s << "\"";
    }
    return Parsed{ok, v};
}

TEST(ParseU64, Decimal) {
    EXPECT_EQ(parse("0").value, 0u);
    EXPECT_EQ(parse("7").value, 7u);
    EXPECT_EQ(parse("1234567890").value, 1234567890u);
    EXPECT_EQ(parse("007").value, 7u);  // leading zeros are decimal, not octal
    EXPECT_TRUE(parse("0").ok);
    EXPECT_TRUE(parse("007").ok);
}

TEST(ParseU64, Hex) {
    EXPECT_TRUE(parse("0x0").ok);
    EXPECT_EQ(parse("0x0").value, 0u);
    EXPECT_EQ(parse("0x1f").value, 0x1fu);
    EXPECT_EQ(parse("0X1F").value, 0x1fu);
    EXPECT_EQ(parse("0xDeadBeef").value, 0xdeadbeefu);
    EXPECT_EQ(parse("0x000000000000000000ff").value, 0xffu);  // leading zeros do not overflow
}

TEST(ParseU64, Limits) {
    Parsed max_dec = parse("18446744073709551615");
    EXPECT_TRUE(max_dec.ok);
    EXPECT_EQ(max_dec.value, UINT64_MAX);
    Parsed max_hex = parse("0xffffffffffffffff");
    EXPECT_TRUE(max_hex.ok);
    EXPECT_EQ(max_hex.value, UINT64_MAX);
    // One past the maximum, in each base, and far past it.
    EXPECT_FALSE(parse("18446744073709551616").ok);
    EXPECT_FALSE(parse("18446744073709551620").ok);
    EXPECT_FALSE(parse("99999999999999999999").ok);
    EXPECT_FALSE(parse("184467440737095516150").ok);
    EXPECT_FALSE(parse("0x10000000000000000").ok);
    EXPECT_FALSE(parse("0xfffffffffffffffff").ok);
}

TEST(ParseU64, RejectsNonNumbers) {
    EXPECT_FALSE(parse("").ok);
    EXPECT_FALSE(parse("0x").ok);  // a prefix with no digits
    EXPECT_FALSE(parse("0X").ok);
    EXPECT_FALSE(parse("abc").ok);
    EXPECT_FALSE(parse("12a").ok);   // hex digits need the 0x prefix
    EXPECT_FALSE(parse("ff").ok);
    EXPECT_FALSE(parse("0x1g").ok);
    EXPECT_FALSE(parse("-1").ok);
    EXPECT_FALSE(parse("+1").ok);
    EXPECT_FALSE(parse(" 1").ok);    // no whitespace either side
    EXPECT_FALSE(parse("1 ").ok);
    EXPECT_FALSE(parse("0b101").ok);
    EXPECT_FALSE(parse("00x1").ok);
    EXPECT_FALSE(parse("0x-1").ok);
    EXPECT_FALSE(parse("1.5").ok);
}

}  // namespace
