// Unit tests for walk_stack (kern/backtrace_walk.cc), over fake stacks laid
// out in host arrays. Each frame record is two words, [saved rbp, return
// address], and a StackFrame reports {rbp = saved rbp, rip = return address}.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kern/backtrace.hh"

namespace {

// A fake stack of kWords words. Frame records are placed at word indexes;
// rbp values are real host addresses into the array, so walk_stack reads
// them exactly as it reads the kernel stack.
class FakeStack : public ::testing::Test {
protected:
    static constexpr size_t kWords = 64;
    alignas(16) uintptr_t words[kWords] = {};

    uintptr_t addr(size_t index) const { return reinterpret_cast<uintptr_t>(&words[index]); }
    // Writes a record at index: its saved rbp (a host address or 0) and return address.
    void record(size_t index, uintptr_t saved_rbp, uintptr_t return_address) {
        words[index] = saved_rbp;
        words[index + 1] = return_address;
    }
    StackBounds bounds() const { return StackBounds{addr(0), addr(kWords)}; }

    // Builds the chain innermost first: records at indexes[0], indexes[1]..., the
    // last one saving rbp 0. Return addresses are 0x1000 + 0x10 * i.
    void chain(const std::vector<size_t>& indexes) {
        for (size_t i = 0; i < indexes.size(); ++i) {
            uintptr_t next = i + 1 < indexes.size() ? addr(indexes[i + 1]) : 0;
            record(indexes[i], next, 0x1000 + 0x10 * i);
        }
    }

    std::vector<StackFrame> walk(uintptr_t rbp, size_t max = 16) {
        return walk(rbp, bounds(), max);
    }
    std::vector<StackFrame> walk(uintptr_t rbp, StackBounds b, size_t max) {
        // Sentinels past max catch a walker that writes too many frames.
        std::vector<StackFrame> out(max + 4, StackFrame{0xdead, 0xbeef});
        size_t n = walk_stack(rbp, b, out.data(), max);
        EXPECT_LE(n, max);
        for (size_t i = n; i < out.size(); ++i) {
            EXPECT_EQ(out[i].rbp, 0xdeadu) << "frame " << i << " written past the count";
            EXPECT_EQ(out[i].rip, 0xbeefu) << "frame " << i << " written past the count";
        }
        out.resize(n);
        return out;
    }
};

TEST_F(FakeStack, FollowsAChainToRbpZero) {
    // Four frames, outer frames at higher addresses, as on a real stack.
    chain({4, 12, 20, 40});
    auto frames = walk(addr(4));
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(frames[0].rbp, addr(12));
    EXPECT_EQ(frames[0].rip, 0x1000u);
    EXPECT_EQ(frames[1].rbp, addr(20));
    EXPECT_EQ(frames[1].rip, 0x1010u);
    EXPECT_EQ(frames[2].rbp, addr(40));
    EXPECT_EQ(frames[2].rip, 0x1020u);
    // The outermost record saved rbp 0: it is still reported, then the walk ends.
    EXPECT_EQ(frames[3].rbp, 0u);
    EXPECT_EQ(frames[3].rip, 0x1030u);
}

TEST_F(FakeStack, NullStartYieldsNothing) {
    EXPECT_TRUE(walk(0).empty());
}

TEST_F(FakeStack, SingleFrame) {
    record(10, 0, 0xffffffff80101234);
    auto frames = walk(addr(10));
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].rbp, 0u);
    EXPECT_EQ(frames[0].rip, 0xffffffff80101234u);
}

TEST_F(FakeStack, StopsAtMax) {
    chain({2, 6, 10, 14, 18, 22});
    auto frames = walk(addr(2), 3);
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[2].rip, 0x1020u);
    EXPECT_EQ(frames[2].rbp, addr(14));
    EXPECT_EQ(walk(addr(2), 6).size(), 6u);
    EXPECT_EQ(walk(addr(2), 100).size(), 6u);
}

TEST_F(FakeStack, MaxZeroReadsNothing) {
    chain({2, 6});
    EXPECT_TRUE(walk(addr(2), 0).empty());
    // Not even an invalid start is touched.
    EXPECT_TRUE(walk(1, 0).empty());
}

TEST_F(FakeStack, StopsAtARecordOutsideTheBounds) {
    // The chain is fine, but the bounds end before the third record: the
    // first two frames are reported and the third record is never read.
    chain({4, 12, 20});
    StackBounds up_to_16{addr(0), addr(16)};
    auto frames = walk(addr(4), up_to_16, 16);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[1].rbp, addr(20));
}

TEST_F(FakeStack, WildSavedRbpIsNotFollowed) {
    // The outermost record saved a garbage rbp (0x10, unmapped on the host):
    // that record is still reported, but following it would fault.
    chain({4, 12, 20});
    words[20] = 0x10;
    auto frames = walk(addr(4));
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[2].rbp, 0x10u);
}

TEST_F(FakeStack, StartOutsideTheBounds) {
    chain({4, 12});
    // Bounds that exclude the start record entirely.
    StackBounds above{addr(8), addr(kWords)};
    EXPECT_TRUE(walk(addr(4), above, 16).empty());
    StackBounds below{addr(0), addr(4)};
    EXPECT_TRUE(walk(addr(4), below, 16).empty());
}

TEST_F(FakeStack, RecordMustFitEntirelyInsideTheBounds) {
    // A record whose return-address word lies past high must not be read.
    chain({4, 62});  // the last record occupies words 62 and 63: the top
    EXPECT_EQ(walk(addr(4)).size(), 2u);
    StackBounds short_by_one{addr(0), addr(63)};
    auto frames = walk(addr(4), short_by_one, 16);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].rbp, addr(62));
}

TEST_F(FakeStack, StopsAtAMisalignedRbp) {
    chain({4, 12, 20});
    // The second record's saved rbp is off by 4 bytes.
    words[12] = addr(20) + 4;
    auto frames = walk(addr(4));
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[1].rbp, addr(20) + 4);
    // A misaligned start is refused outright.
    EXPECT_TRUE(walk(addr(4) + 1).empty());
}

TEST_F(FakeStack, StopsAtAZeroReturnAddress) {
    chain({4, 12, 20});
    words[13] = 0;  // second record's return address
    auto frames = walk(addr(4));
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].rip, 0x1000u);
}

TEST_F(FakeStack, CycleIsBoundedByMax) {
    // Two records pointing at each other: only max ends the walk.
    record(8, addr(16), 0xaaa);
    record(16, addr(8), 0xbbb);
    auto frames = walk(addr(8), 7);
    ASSERT_EQ(frames.size(), 7u);
    for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].rip, i % 2 ? 0xbbbu : 0xaaau) << "frame " << i;
        EXPECT_EQ(frames[i].rbp, i % 2 ? addr(8) : addr(16)) << "frame " << i;
    }
}

TEST_F(FakeStack, SelfLoopIsBoundedByMax) {
    record(30, addr(30), 0x1234);
    auto frames = walk(addr(30), 5);
    ASSERT_EQ(frames.size(), 5u);
    for (const StackFrame& f : frames) {
        EXPECT_EQ(f.rbp, addr(30));
        EXPECT_EQ(f.rip, 0x1234u);
    }
}

// StackBounds::contains_record is inline in the header; its rules decide
// where every walk stops, so pin them down directly too.
TEST(StackBounds, ContainsRecord) {
    StackBounds b{0x1000, 0x2000};
    EXPECT_TRUE(b.contains_record(0x1000));
    EXPECT_TRUE(b.contains_record(0x1ff0));   // last record that fits
    EXPECT_FALSE(b.contains_record(0x1ff8));  // its second word would be at high
    EXPECT_FALSE(b.contains_record(0x0ff8));
    EXPECT_FALSE(b.contains_record(0x2000));
    EXPECT_FALSE(b.contains_record(0x1004));  // misaligned
    EXPECT_FALSE(b.contains_record(0));
}

}  // namespace
