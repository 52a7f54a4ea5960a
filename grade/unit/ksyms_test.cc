// Unit tests for SymbolTable::find and name_of (kern/ksyms.cc), over tables
// built by hand rather than the one the kernel build embeds.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kern/ksyms.hh"

namespace {

// Owns the arrays a SymbolTable points into.
class TableBuilder {
public:
    // Symbols must be added in ascending address order, as the build emits them.
    TableBuilder& add(uint64_t address, uint64_t size, const std::string& name) {
        symbols_.push_back(KernelSymbol{address, size, names_.size()});
        names_ += name;
        names_ += '\0';
        return *this;
    }
    SymbolTable table() const { return SymbolTable{symbols_.data(), symbols_.size(), names_.c_str()}; }
    const KernelSymbol* at(size_t i) const { return &symbols_[i]; }

private:
    std::vector<KernelSymbol> symbols_;
    std::string names_;
};

// The name find() picked for addr, or "(none)".
std::string lookup(const SymbolTable& t, uint64_t addr) {
    const KernelSymbol* s = t.find(addr);
    return s ? t.name_of(*s) : "(none)";
}

// A small kernel-like table: sized functions with a gap between two of them,
// an unsized label, and a sized symbol last.
//   0x1000 +0x40  kernel_main
//   0x1040 +0x20  cprintf
//   (gap 0x1060..0x1100)
//   0x1100 +0     boot_label   (no size: extends to the next symbol)
//   0x1180 +0x10  panic
class SmallTable : public ::testing::Test {
protected:
    SmallTable() {
        b.add(0x1000, 0x40, "kernel_main")
            .add(0x1040, 0x20, "cprintf")
            .add(0x1100, 0, "boot_label")
            .add(0x1180, 0x10, "panic");
        t = b.table();
    }
    TableBuilder b;
    SymbolTable t{};
};

TEST_F(SmallTable, ExactStartAddresses) {
    EXPECT_EQ(t.find(0x1000), b.at(0));
    EXPECT_EQ(t.find(0x1040), b.at(1));
    EXPECT_EQ(t.find(0x1100), b.at(2));
    EXPECT_EQ(t.find(0x1180), b.at(3));
}

TEST_F(SmallTable, AddressesInside) {
    EXPECT_EQ(lookup(t, 0x1001), "kernel_main");
    EXPECT_EQ(lookup(t, 0x103f), "kernel_main");  // last byte
    EXPECT_EQ(lookup(t, 0x1050), "cprintf");
    EXPECT_EQ(lookup(t, 0x105f), "cprintf");
    EXPECT_EQ(lookup(t, 0x118f), "panic");
}

TEST_F(SmallTable, AdjacentSymbolsSplitAtTheBoundary) {
    // kernel_main ends exactly where cprintf starts.
    EXPECT_EQ(lookup(t, 0x103f), "kernel_main");
    EXPECT_EQ(lookup(t, 0x1040), "cprintf");
}

TEST_F(SmallTable, PastASizedSymbolsEnd) {
    // One past the end of cprintf, and anywhere in the gap, is no symbol.
    EXPECT_EQ(t.find(0x1060), nullptr);
    EXPECT_EQ(t.find(0x10ff), nullptr);
    // Past the last (sized) symbol too.
    EXPECT_EQ(t.find(0x1190), nullptr);
    EXPECT_EQ(t.find(UINT64_MAX), nullptr);
}

TEST_F(SmallTable, UnsizedSymbolExtendsToTheNext) {
    EXPECT_EQ(lookup(t, 0x1101), "boot_label");
    EXPECT_EQ(lookup(t, 0x117f), "boot_label");
    EXPECT_EQ(lookup(t, 0x1180), "panic");
}

TEST_F(SmallTable, BelowTheFirstSymbol) {
    EXPECT_EQ(t.find(0), nullptr);
    EXPECT_EQ(t.find(0xfff), nullptr);
}

TEST_F(SmallTable, NameOf) {
    EXPECT_STREQ(t.name_of(*b.at(0)), "kernel_main");
    EXPECT_STREQ(t.name_of(*b.at(1)), "cprintf");
    EXPECT_STREQ(t.name_of(*b.at(2)), "boot_label");
    EXPECT_STREQ(t.name_of(*b.at(3)), "panic");
}

TEST(SymbolTable, UnsizedLastSymbolExtendsForever) {
    // With nothing after it, an unsized symbol covers every higher address.
    TableBuilder b;
    b.add(0x2000, 0x10, "f").add(0x3000, 0, "_end");
    SymbolTable t = b.table();
    EXPECT_EQ(lookup(t, 0x3000), "_end");
    EXPECT_EQ(lookup(t, UINT64_MAX), "_end");
    EXPECT_EQ(t.find(0x2010), nullptr);
}

TEST(SymbolTable, EmptyTable) {
    SymbolTable t{nullptr, 0, ""};
    EXPECT_EQ(t.find(0), nullptr);
    EXPECT_EQ(t.find(0x1000), nullptr);
    EXPECT_EQ(t.find(UINT64_MAX), nullptr);
}

TEST(SymbolTable, SingleSymbol) {
    TableBuilder b;
    b.add(0x500, 0x8, "only");
    SymbolTable t = b.table();
    EXPECT_EQ(t.find(0x4ff), nullptr);
    EXPECT_EQ(lookup(t, 0x500), "only");
    EXPECT_EQ(lookup(t, 0x507), "only");
    EXPECT_EQ(t.find(0x508), nullptr);
}

TEST(SymbolTable, SymbolAtAddressZero) {
    // Address 0 is a valid start; nothing is "below" it.
    TableBuilder b;
    b.add(0, 4, "zero").add(4, 4, "four");
    SymbolTable t = b.table();
    EXPECT_EQ(lookup(t, 0), "zero");
    EXPECT_EQ(lookup(t, 3), "zero");
    EXPECT_EQ(lookup(t, 4), "four");
    EXPECT_EQ(t.find(8), nullptr);
}

TEST(SymbolTable, HighKernelAddresses) {
    // The kernel links at -2 GiB; sizes must not overflow the arithmetic.
    TableBuilder b;
    b.add(0xffffffff80100000, 0x100, "entry").add(0xfffffffffffffff0, 0x10, "top");
    SymbolTable t = b.table();
    EXPECT_EQ(lookup(t, 0xffffffff801000ff), "entry");
    EXPECT_EQ(t.find(0xffffffff80100100), nullptr);
    EXPECT_EQ(lookup(t, 0xfffffffffffffff0), "top");
    EXPECT_EQ(lookup(t, UINT64_MAX), "top");
    EXPECT_EQ(t.find(0x1000), nullptr);
}

TEST(SymbolTable, LargeTableEveryAddress) {
    // 1000 symbols, 0x20 apart; odd-numbered ones sized 0x10 (leaving a gap),
    // even-numbered ones unsized. Checks every symbol's start, middle, last
    // covered byte and first uncovered byte, so a binary search that is off
    // by one anywhere shows up.
    constexpr size_t kCount = 1000;
    constexpr uint64_t kBase = 0xffffffff80000000, kStride = 0x20;
    TableBuilder b;
    for (size_t i = 0; i < kCount; ++i)
        b.add(kBase + i * kStride, i % 2 ? 0x10 : 0, "fn" + std::to_string(i));
    SymbolTable t = b.table();
    ASSERT_EQ(t.count, kCount);

    EXPECT_EQ(t.find(kBase - 1), nullptr);
    for (size_t i = 0; i < kCount; ++i) {
        SCOPED_TRACE("symbol " + std::to_string(i));
        uint64_t start = kBase + i * kStride;
        EXPECT_EQ(t.find(start), b.at(i));
        EXPECT_EQ(t.find(start + 7), b.at(i));
        EXPECT_EQ(t.name_of(*b.at(i)), "fn" + std::to_string(i));
        if (i % 2) {
            EXPECT_EQ(t.find(start + 0xf), b.at(i));
            EXPECT_EQ(t.find(start + 0x10), nullptr);
            EXPECT_EQ(t.find(start + kStride - 1), nullptr);
        } else {
            EXPECT_EQ(t.find(start + kStride - 1), b.at(i));
        }
    }
    // The last symbol is sized, so the table ends with it.
    EXPECT_EQ(t.find(kBase + kCount * kStride), nullptr);
}

}  // namespace
