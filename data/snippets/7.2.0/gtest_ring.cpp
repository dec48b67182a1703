// caption: GoogleTest 1.12 测一个环形缓冲区：TEST_F 夹具每个用例重新 SetUp，参数化用例 TEST_P，EXPECT_DEATH/EXPECT_EXIT 死亡测试在子进程里验证崩溃
// point: 谷歌C++测试框架 GoogleTest
// timeout: 30
// libs: gtest
#include <gtest/gtest.h>
#include <cstdio>
#include <cstdlib>
#include <vector>

class Ring {  // the code under test: fixed-capacity FIFO
  public:
    explicit Ring(size_t cap) : buf_(cap) {
        if (cap == 0) { std::fprintf(stderr, "ring: zero capacity\n"); std::exit(3); }
    }
    bool push(int v) {
        if (n_ == buf_.size()) return false;
        buf_[(head_ + n_++) % buf_.size()] = v;
        return true;
    }
    int pop() {
        if (n_ == 0) { std::fprintf(stderr, "ring: pop on empty\n"); std::abort(); }
        int v = buf_[head_];
        head_ = (head_ + 1) % buf_.size();
        --n_;
        return v;
    }
    size_t size() const { return n_; }
  private:
    std::vector<int> buf_;
    size_t head_ = 0, n_ = 0;
};

class RingTest : public ::testing::Test {  // fixture: a fresh ring with 1,2,3 for every TEST_F
  protected:
    void SetUp() override { for (int v : {1, 2, 3}) ASSERT_TRUE(r.push(v)); }
    Ring r{4};
};

TEST_F(RingTest, PopsInFifoOrder) {
    EXPECT_EQ(r.pop(), 1);
    EXPECT_EQ(r.pop(), 2);
    EXPECT_EQ(r.size(), 1u);
}
TEST_F(RingTest, RejectsPushWhenFull) {
    EXPECT_TRUE(r.push(4));
    EXPECT_FALSE(r.push(5));
    EXPECT_EQ(r.size(), 4u);  // SetUp ran again: this test did not see the pops above
}
TEST_F(RingTest, WrapsAround) {
    for (int i = 0; i < 10; i++) { ASSERT_TRUE(r.push(100 + i)); EXPECT_EQ(r.pop(), i < 3 ? i + 1 : 100 + i - 3); }
}

class RingCap : public ::testing::TestWithParam<int> {};
TEST_P(RingCap, HoldsExactlyCapacity) {
    Ring r(static_cast<size_t>(GetParam()));
    for (int i = 0; i < GetParam(); i++) ASSERT_TRUE(r.push(i));
    EXPECT_FALSE(r.push(-1));
}
INSTANTIATE_TEST_SUITE_P(Sizes, RingCap, ::testing::Values(1, 2, 64));

TEST(RingDeathTest, PopOnEmptyAborts) {  // *DeathTest suites run first; the crash happens in a child
    Ring r(2);
    EXPECT_DEATH(r.pop(), "pop on empty");
}
TEST(RingDeathTest, ZeroCapacityExitsWith3) {
    EXPECT_EXIT(Ring r(0), ::testing::ExitedWithCode(3), "zero capacity");
}

int main(int argc, char **argv) {
    ::testing::InitGoogleTest(&argc, argv);
    GTEST_FLAG_SET(death_test_style, "threadsafe");  // re-exec the binary for each death test
    int rc = RUN_ALL_TESTS();
    const auto *u = ::testing::UnitTest::GetInstance();
    std::printf("gtest: %d tests ran, %d passed, %d failed\n", u->test_to_run_count(),
                u->successful_test_count(), u->failed_test_count());
    if (rc != 0 || u->successful_test_count() != 8) return 1;  // 3 fixture + 3 param + 2 death
    std::puts("OK: fixtures reset per test, parameterised cases expanded, death tests saw the crash");
    return 0;
}
