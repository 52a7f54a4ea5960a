// Unit tests for Lab 7's revocation decisions (kern/revoke_policy.cc): a
// request's life (open, met in time, due at the deadline, closed by
// force), which env the pool asks, and which frames the abort takes.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#undef SYS_exit   // glibc's macro; lib/abi.hh has an enumerator of that name
#include "kern/revoke_policy.hh"
#include "lib/abi.hh"

namespace {

using revoke_policy::Candidate;

EnvMemoryView holding(int32_t id, uint32_t held) {
    EnvMemoryView v{};
    v.env_id = id;
    v.held = held;
    v.quota = quota_unlimited;
    return v;
}

// ------------------------------------------------------------ the request

TEST(RevokeRequestTest, MetBeforeTheDeadline) {
    EnvMemoryView v = holding(0x401, 20);
    ASSERT_TRUE(revoke_policy::open_request(v, 5, 100, 40));
    EXPECT_EQ(v.pending, 1u);
    EXPECT_EQ(v.requested, 5u);
    EXPECT_EQ(v.target, 15u);
    EXPECT_EQ(v.deadline, 140u);
    EXPECT_EQ(v.requests, 1u);
    // Four frames back: not yet met, and not due before the deadline.
    v.held = 16;
    EXPECT_FALSE(revoke_policy::note_held(v, 110));
    EXPECT_EQ(revoke_policy::due(v, 139), 0u);
    v.held = 15;
    EXPECT_TRUE(revoke_policy::note_held(v, 120));
    EXPECT_EQ(v.pending, 0u);
    EXPECT_EQ(v.complied, 1u);
    EXPECT_EQ(v.answered_at, 120u);
    EXPECT_EQ(revoke_policy::due(v, 1000), 0u) << "a met request is never due";
}

TEST(RevokeRequestTest, DueAtTheDeadlineForWhatIsLeft) {
    EnvMemoryView v = holding(0x401, 20);
    revoke_policy::open_request(v, 6, 7, 40);
    v.held = 18;   // two given back
    EXPECT_EQ(revoke_policy::due(v, 46), 0u) << "one tick early";
    EXPECT_EQ(revoke_policy::due(v, 47), 4u) << "at the deadline: what it still holds above its target";
    EXPECT_EQ(revoke_policy::due(v, 90), 4u);
    revoke_policy::close_by_force(v, 47);
    EXPECT_EQ(v.pending, 0u);
    EXPECT_EQ(v.aborts, 1u);
    EXPECT_EQ(v.complied, 0u);
    EXPECT_EQ(v.answered_at, 47u);
    // The frames taken now do not count as compliance.
    v.held = 14;
    EXPECT_FALSE(revoke_policy::note_held(v, 47));
    EXPECT_EQ(v.complied, 0u);
}

TEST(RevokeRequestTest, AnOpenRequestKeepsItsDeadlineAndGrows) {
    EnvMemoryView v = holding(0x401, 20);
    ASSERT_TRUE(revoke_policy::open_request(v, 3, 10, 40));
    EXPECT_FALSE(revoke_policy::open_request(v, 5, 30, 40)) << "no second upcall for the same request";
    EXPECT_EQ(v.target, 15u);
    EXPECT_EQ(v.requested, 5u);
    EXPECT_EQ(v.deadline, 50u) << "a later pressure must not push the deadline back";
    EXPECT_FALSE(revoke_policy::open_request(v, 1, 30, 40));
    EXPECT_EQ(v.target, 15u) << "a smaller ask never raises the target";
    EXPECT_EQ(v.requests, 1u);
}

TEST(RevokeRequestTest, AskingForMoreThanItHoldsTakesEverything) {
    EnvMemoryView v = holding(0x401, 3);
    revoke_policy::open_request(v, 10, 0, 40);
    EXPECT_EQ(v.target, 0u) << "the target must not wrap below zero";
    EXPECT_EQ(v.requested, 3u);
    EXPECT_EQ(revoke_policy::due(v, 40), 3u);
}

TEST(RevokeRequestTest, ANewRequestStartsItsOwnCount) {
    EnvMemoryView v = holding(0x401, 10);
    revoke_policy::open_request(v, 2, 0, 40);
    v.request_released = 2;
    v.held = 8;
    revoke_policy::note_held(v, 5);
    revoke_policy::open_request(v, 1, 50, 40);
    EXPECT_EQ(v.request_released, 0u);
    EXPECT_EQ(v.deadline, 90u);
    EXPECT_EQ(v.requests, 2u);
}

// ------------------------------------------------------------ the pool's victim

bool all_alive(int32_t) { return true; }
bool none_alive(int32_t) { return false; }
bool odd_alive(int32_t id) { return id & 1; }

TEST(RevokeVictimTest, TheLargestHolder) {
    std::vector<EnvMemoryView> v = {holding(0, 0), holding(0x401, 5), holding(0x403, 9), holding(0x405, 7)};
    EXPECT_EQ(revoke_policy::choose_victim(v.data(), v.size(), 0, all_alive), 2);
    EXPECT_EQ(revoke_policy::choose_victim(v.data(), v.size(), 0x403, all_alive), 3) << "never the env asking";
    v[2].pending = 1;
    EXPECT_EQ(revoke_policy::choose_victim(v.data(), v.size(), 0, all_alive), 3) << "not one already asked";
    EXPECT_EQ(revoke_policy::choose_victim(v.data(), v.size(), 0, none_alive), -1) << "never the dead";
}

TEST(RevokeVictimTest, TiesGoToTheLowestIndex) {
    std::vector<EnvMemoryView> v = {holding(0x401, 4), holding(0x403, 9), holding(0x405, 9)};
    EXPECT_EQ(revoke_policy::choose_victim(v.data(), v.size(), 0, all_alive), 1);
}

TEST(RevokeVictimTest, NobodyHoldingNothingToAsk) {
    std::vector<EnvMemoryView> v = {holding(0x401, 0), holding(0, 0), holding(0x402, 8)};
    EXPECT_EQ(revoke_policy::choose_victim(v.data(), v.size(), 0, odd_alive), -1);
}

// ------------------------------------------------------------ the abort's frames

std::vector<uint64_t> chosen_vas(std::vector<Candidate> c, size_t take) {
    size_t n = revoke_policy::choose_frames(c.data(), c.size(), take);
    std::vector<uint64_t> vas;
    for (size_t i = 0; i < n; ++i) vas.push_back(c[i].va);
    return vas;
}

TEST(RevokeFramesTest, PrivateThenNotAccessedThenLowest) {
    std::vector<Candidate> c = {
        {0x5000, 15, false, true},    // private, accessed
        {0x1000, 11, true, false},    // shared
        {0x9000, 19, false, false},   // private, idle
        {0x3000, 13, false, false},   // private, idle, lower
        {0x2000, 12, false, true},    // private, accessed, lower
    };
    EXPECT_EQ(chosen_vas(c, 1), (std::vector<uint64_t>{0x3000}));
    EXPECT_EQ(chosen_vas(c, 3), (std::vector<uint64_t>{0x3000, 0x9000, 0x2000}));
    EXPECT_EQ(chosen_vas(c, 5), (std::vector<uint64_t>{0x3000, 0x9000, 0x2000, 0x5000, 0x1000}));
}

TEST(RevokeFramesTest, NeverMoreThanAskedOrThanThereAre) {
    std::vector<Candidate> c = {{0x1000, 1, false, false}, {0x2000, 2, false, false}};
    EXPECT_EQ(chosen_vas(c, 0).size(), 0u);
    EXPECT_EQ(chosen_vas(c, 7).size(), 2u);
    EXPECT_EQ(revoke_policy::choose_frames(nullptr, 0, 3), 0u);
}

TEST(RevokeFramesTest, AFrameMappedTwiceIsOneFrame) {
    std::vector<Candidate> c = {
        {0x1000, 7, true, false},
        {0x2000, 7, true, false},   // the same frame at a second address
        {0x3000, 8, true, false},
    };
    std::vector<Candidate> copy = c;
    size_t n = revoke_policy::choose_frames(copy.data(), copy.size(), 2);
    ASSERT_EQ(n, 2u);
    EXPECT_EQ(copy[0].frame, 7u);
    EXPECT_EQ(copy[1].frame, 8u) << "two frames asked: frame 7 counts once";
}

TEST(RevokeFramesTest, SortedSearch) {
    uint64_t f[] = {40, 3, 17, 3000, 8};
    revoke_policy::sort_frames(f, 5);
    EXPECT_EQ((std::vector<uint64_t>(f, f + 5)), (std::vector<uint64_t>{3, 8, 17, 40, 3000}));
    for (uint64_t x : {3, 8, 17, 40, 3000}) EXPECT_TRUE(revoke_policy::contains(f, 5, x)) << x;
    for (uint64_t x : {0, 4, 18, 41, 3001}) EXPECT_FALSE(revoke_policy::contains(f, 5, x)) << x;
    EXPECT_FALSE(revoke_policy::contains(f, 0, 3));
}

}  // namespace
