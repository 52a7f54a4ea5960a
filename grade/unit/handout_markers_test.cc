// Unit tests for the handout generator's marker processing.
#include <gtest/gtest.h>

#include <cstring>

#include "tools/handout/markers.hh"

using handout::CommentStyle;
using handout::style_for_path;
using handout::transform_source;
using handout::Transform;

namespace {

constexpr CommentStyle kSlash = CommentStyle::Slash;
constexpr CommentStyle kHash = CommentStyle::Hash;

// One lab-1 region with an indented body and a two-line stub.
const char* const kRegion =
    "int f() {\n"
    "    // BEGIN LAB 1: walk the stack\n"
    "    int x = 42;\n"
    "    return x;\n"
    "    // STUB LAB 1\n"
    "    //~ // LAB 1: your code here\n"
    "    //~ return 0;\n"
    "    // END LAB 1\n"
    "}\n";

Transform ok(std::string_view text, int lab, CommentStyle style = kSlash) {
    Transform t = transform_source(text, lab, style);
    for (const auto& e : t.errors)
        ADD_FAILURE() << "unexpected error at line " << e.line << ": " << e.message;
    return t;
}

// Expects exactly one error, at `line`, whose message contains `needle`.
void expect_error(std::string_view text, int line, std::string_view needle,
                  CommentStyle style = kSlash) {
    Transform t = transform_source(text, 1, style);
    ASSERT_EQ(t.errors.size(), 1u) << "input:\n" << text;
    EXPECT_EQ(t.errors[0].line, line) << t.errors[0].message;
    EXPECT_NE(t.errors[0].message.find(needle), std::string::npos) << t.errors[0].message;
}

TEST(HandoutMarkers, StubsRequestedLab) {
    Transform t = ok(kRegion, 1);
    EXPECT_EQ(t.text,
              "int f() {\n"
              "    // LAB 1: your code here\n"
              "    return 0;\n"
              "}\n");
    EXPECT_EQ(t.regions_stubbed, 1);
    EXPECT_EQ(t.regions_kept, 0);
}

TEST(HandoutMarkers, KeepsOtherLabsSolution) {
    Transform t = ok(kRegion, 2);
    EXPECT_EQ(t.text,
              "int f() {\n"
              "    int x = 42;\n"
              "    return x;\n"
              "}\n");
    EXPECT_EQ(t.regions_stubbed, 0);
    EXPECT_EQ(t.regions_kept, 1);
}

TEST(HandoutMarkers, StubKeepsItsOwnIndentation) {
    Transform t = ok("// BEGIN LAB 3\n"
                     "x\n"
                     "\t// STUB LAB 3\n"
                     "\t//~ // LAB 3: your code here\n"
                     "        //~     nested();\n"
                     "//~ top();\n"
                     "// END LAB 3\n",
                     3);
    EXPECT_EQ(t.text, "\t// LAB 3: your code here\n            nested();\ntop();\n");
}

TEST(HandoutMarkers, EmptyStubLineBecomesEmptyLine) {
    Transform t = ok("  // BEGIN LAB 1\n"
                     "  // STUB LAB 1\n"
                     "  //~ // LAB 1: your code here\n"
                     "  //~\n"
                     "  //~ done();\n"
                     "  // END LAB 1\n",
                     1);
    EXPECT_EQ(t.text, "  // LAB 1: your code here\n\n  done();\n");
}

TEST(HandoutMarkers, EmptySolutionIsAllowed) {
    Transform t = ok("// BEGIN LAB 1\n// STUB LAB 1\n//~ // LAB 1: your code here\n// END LAB 1\n",
                     2);
    EXPECT_EQ(t.text, "");
    EXPECT_EQ(t.regions_kept, 1);
}

TEST(HandoutMarkers, TrailingNewlinePreserved) {
    EXPECT_EQ(ok("a\nb", 1).text, "a\nb");
    EXPECT_EQ(ok("a\nb\n", 1).text, "a\nb\n");
    EXPECT_EQ(ok("", 1).text, "");
    EXPECT_EQ(ok("\n\n", 1).text, "\n\n");
    // The last input line is a dropped marker with no newline after it.
    const std::string text = std::string(kRegion, std::strlen(kRegion) - 3);  // drop "\n}\n"
    EXPECT_EQ(ok(text, 1).text, "int f() {\n    // LAB 1: your code here\n    return 0;");
    EXPECT_EQ(ok(text, 2).text, "int f() {\n    int x = 42;\n    return x;");
}

TEST(HandoutMarkers, CrlfLinesKeepTheirCarriageReturn) {
    Transform t = ok("a\r\n// BEGIN LAB 1\r\nx\r\n// STUB LAB 1\r\n"
                     "//~ // LAB 1: your code here\r\n//~\r\n// END LAB 1\r\n",
                     1);
    EXPECT_EQ(t.text, "a\r\n// LAB 1: your code here\r\n\r\n");
}

TEST(HandoutMarkers, HashStyle) {
    const char* text =
        "f:\n"
        "    # BEGIN LAB 2: trap entry\n"
        "    pushq %rax\n"
        "    # STUB LAB 2\n"
        "    #~ # LAB 2: your code here\n"
        "    #~ ud2\n"
        "    # END LAB 2\n"
        "    ret\n";
    EXPECT_EQ(ok(text, 2, kHash).text, "f:\n    # LAB 2: your code here\n    ud2\n    ret\n");
    EXPECT_EQ(ok(text, 3, kHash).text, "f:\n    pushq %rax\n    ret\n");
    // An earlier lab's handout gets the later lab's stub, never its solution.
    EXPECT_EQ(ok(text, 1, kHash).text, "f:\n    # LAB 2: your code here\n    ud2\n    ret\n");
    // Slash markers mean nothing in a hash-style file, and vice versa.
    Transform t = ok(kRegion, 1, kHash);
    EXPECT_EQ(t.text, kRegion);
    EXPECT_TRUE(t.labs_seen.empty());
}

TEST(HandoutMarkers, MultipleRegionsAndLabsSeen) {
    const char* text =
        "// BEGIN LAB 1\n"
        "one\n"
        "// STUB LAB 1\n"
        "//~ // LAB 1: your code here\n"
        "// END LAB 1\n"
        "mid\n"
        "// BEGIN LAB 4: later\n"
        "four\n"
        "// STUB LAB 4\n"
        "//~ // LAB 4: your code here\n"
        "// END LAB 4\n"
        "// BEGIN LAB 1\n"
        "uno\n"
        "// STUB LAB 1\n"
        "//~ /* LAB 1: your code here (part 2) */\n"
        "// END LAB 1\n";
    Transform t1 = ok(text, 1);
    EXPECT_EQ(t1.text, "// LAB 1: your code here\nmid\n// LAB 4: your code here\n"
                       "/* LAB 1: your code here (part 2) */\n");
    EXPECT_EQ(t1.regions_stubbed, 2);
    EXPECT_EQ(t1.regions_later_stubbed, 1);
    EXPECT_EQ(t1.regions_kept, 0);
    EXPECT_EQ(t1.labs_seen, (std::set<int>{1, 4}));

    Transform t4 = ok(text, 4);
    EXPECT_EQ(t4.text, "one\nmid\n// LAB 4: your code here\nuno\n");
    EXPECT_EQ(t4.regions_stubbed, 1);
    EXPECT_EQ(t4.regions_kept, 2);

    Transform t9 = ok(text, 9);
    EXPECT_EQ(t9.text, "one\nmid\nfour\nuno\n");
    EXPECT_EQ(t9.regions_stubbed, 0);
    EXPECT_EQ(t9.labs_seen, (std::set<int>{1, 4}));
}

TEST(HandoutMarkers, TokensOutsideMarkerLinesAreText) {
    const char* text =
        "puts(\"// BEGIN LAB 1\");\n"
        "x = 1; // END LAB 1\n"
        "/* STUB LAB 1 */\n"
        "// BEGIN LABEL 1\n"
        "// ENDLAB 1\n"
        "//BEGIN LAB 1\n"
        "# BEGIN LAB 1\n"
        "s = \"//~ not a stub\";\n";
    Transform t = ok(text, 1);
    EXPECT_EQ(t.text, text);
    EXPECT_TRUE(t.labs_seen.empty());
}

TEST(HandoutMarkers, TwoDigitLabNumbers) {
    Transform t = ok("// BEGIN LAB 12\nx\n// STUB LAB 12\n//~ // LAB 12: your code here\n"
                     "// END LAB 12\n",
                     12);
    EXPECT_EQ(t.text, "// LAB 12: your code here\n");
    EXPECT_EQ(t.labs_seen, (std::set<int>{12}));
}

// --- errors -----------------------------------------------------------------

TEST(HandoutMarkerErrors, BeginInsideOpenRegion) {
    expect_error("// BEGIN LAB 1\n"
                 "// BEGIN LAB 2\n"
                 "// STUB LAB 1\n"
                 "//~ // LAB 1: your code here\n"
                 "// END LAB 1\n",
                 2, "nest");
}

TEST(HandoutMarkerErrors, StubWithoutBegin) {
    expect_error("a\n// STUB LAB 1\n", 2, "without an open BEGIN");
}

TEST(HandoutMarkerErrors, EndWithoutBegin) {
    expect_error("a\nb\n// END LAB 3\n", 3, "without an open BEGIN");
}

TEST(HandoutMarkerErrors, StubLabMismatch) {
    expect_error("// BEGIN LAB 1\n"
                 "// STUB LAB 2\n"
                 "//~ // LAB 1: your code here\n"
                 "// END LAB 1\n",
                 2, "does not match BEGIN LAB 1");
}

TEST(HandoutMarkerErrors, EndLabMismatch) {
    expect_error("// BEGIN LAB 1\n"
                 "// STUB LAB 1\n"
                 "//~ // LAB 1: your code here\n"
                 "// END LAB 2\n",
                 4, "does not match BEGIN LAB 1");
}

TEST(HandoutMarkerErrors, SecondStub) {
    expect_error("// BEGIN LAB 1\n"
                 "// STUB LAB 1\n"
                 "//~ // LAB 1: your code here\n"
                 "// STUB LAB 1\n"
                 "// END LAB 1\n",
                 4, "second STUB");
}

TEST(HandoutMarkerErrors, EndWithoutStub) {
    expect_error("x\n// BEGIN LAB 1\nsolution\n// END LAB 1\n", 4, "without a STUB");
}

TEST(HandoutMarkerErrors, StubWithoutYourCodeHereIsReportedAtBegin) {
    expect_error("x\n"
                 "// BEGIN LAB 1\n"
                 "// STUB LAB 1\n"
                 "//~ return 0;\n"
                 "// END LAB 1\n",
                 2, "LAB 1: your code here");
    // The hint must name the region's own lab.
    expect_error("// BEGIN LAB 1\n"
                 "// STUB LAB 1\n"
                 "//~ // LAB 2: your code here\n"
                 "// END LAB 1\n",
                 1, "LAB 1: your code here");
}

TEST(HandoutMarkerErrors, FileEndsInsideRegion) {
    expect_error("a\n// BEGIN LAB 1\nb\n", 2, "file ends inside");
    expect_error("// BEGIN LAB 1\n// STUB LAB 1\n//~ // LAB 1: your code here\n", 1,
                 "file ends inside");
}

TEST(HandoutMarkerErrors, StubLineOutsideStubPart) {
    expect_error("a\n  //~ stray\n", 2, "outside");
    expect_error("// BEGIN LAB 1\n"
                 "//~ // LAB 1: your code here\n"
                 "// STUB LAB 1\n"
                 "//~ // LAB 1: your code here\n"
                 "// END LAB 1\n",
                 2, "outside");
    expect_error("x\n#~ stray\n", 2, "outside", kHash);
}

TEST(HandoutMarkerErrors, PlainLineInStubPart) {
    expect_error("// BEGIN LAB 1\n"
                 "// STUB LAB 1\n"
                 "//~ // LAB 1: your code here\n"
                 "return 0;\n"
                 "// END LAB 1\n",
                 4, "expected a stub line");
}

TEST(HandoutMarkerErrors, MalformedMarkers) {
    expect_error("// BEGIN LAB\n", 1, "malformed marker");
    expect_error("a\n// END LAB x\n", 2, "malformed marker");
    expect_error("// STUB LAB 0\n", 1, "malformed marker");
    expect_error("# BEGIN LAB 1 trailing\n", 1, "malformed marker", kHash);
    expect_error("//~x\n", 1, "needs a space");
}

TEST(HandoutMarkerErrors, ErrorsInHashStyleReportLines) {
    expect_error("a\nb\n    # BEGIN LAB 5\n    x\n", 3, "file ends inside", kHash);
}

TEST(HandoutMarkerErrors, AllErrorsInAFileAreReported) {
    Transform t = transform_source("// END LAB 1\n//~ x\n// STUB LAB 2\n", 1, kSlash);
    ASSERT_EQ(t.errors.size(), 3u);
    EXPECT_EQ(t.errors[0].line, 1);
    EXPECT_EQ(t.errors[1].line, 2);
    EXPECT_EQ(t.errors[2].line, 3);
}

// --- comment style by file name ----------------------------------------------

TEST(HandoutStyle, ByFileName) {
    for (const char* p : {"kern/trap.cc", "kern/x86.hh", "lib/a.h", "lib/a.c", "u/x.cpp"})
        EXPECT_EQ(style_for_path(p), kSlash) << p;
    for (const char* p : {"kern/boot.S", "x.s", "grade/run.py", "tools/x.sh", "Makefile",
                          "kern/Makefile", "conf/rules.mk", ".gdbinit"})
        EXPECT_EQ(style_for_path(p), kHash) << p;
    for (const char* p : {"README.md", "conf/lab.json", "disk.img", "LICENSE", "a.cc.orig",
                          "kern/kernel.ld"})  // ld cannot read // comments
        EXPECT_EQ(style_for_path(p), std::nullopt) << p;
}

TEST(HandoutStyle, ExtensionlessScriptsByShebang) {
    EXPECT_EQ(style_for_path("grade/run-tests", "#!"), kHash);
    EXPECT_EQ(style_for_path("grade/run-tests", "\x7f" "E"), std::nullopt);
    EXPECT_EQ(style_for_path("notes.md", "#!"), std::nullopt);
}

}  // namespace
