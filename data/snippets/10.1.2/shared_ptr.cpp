// caption: shared_ptr 的控制块：替换全局 operator new 计数，shared_ptr(new T) 分配两次、make_shared 一次；make_shared 的内存要等最后一个 weak_ptr 离开才释放；4 个线程并发拷贝同一个 shared_ptr，引用计数的原子加减保证最后回到 1，但拷贝比传 const 引用慢得多
// point: shared_ptr 的控制块与引用计数
// timeout: 30
// exclusive: yes
#undef NDEBUG
#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <thread>
#include <vector>

static std::atomic<int> news{0}, deletes{0};
void *operator new(std::size_t n) {
    news++;
    if (void *p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void *p) noexcept { if (p) deletes++; std::free(p); }
void operator delete(void *p, std::size_t) noexcept { if (p) deletes++; std::free(p); }

static int dtors;
struct Blob { char data[64]; ~Blob() { ++dtors; } };

static long use(const std::shared_ptr<Blob> &p) { return p.use_count(); }
static long use_copy(std::shared_ptr<Blob> p) { return p.use_count(); }

template <class F> static double run4(F f) {       // 4 threads, 200k calls each; best of 3, seconds
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        auto t0 = std::chrono::steady_clock::now();
        std::vector<std::thread> ts;
        for (int t = 0; t < 4; t++) ts.emplace_back([&] { for (int i = 0; i < 200000; i++) f(); });
        for (auto &t : ts) t.join();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

int main() {
    std::printf("sizeof shared_ptr %zu, weak_ptr %zu (object pointer + control block pointer)\n",
                sizeof(std::shared_ptr<Blob>), sizeof(std::weak_ptr<Blob>));
    int n0 = news;
    { std::shared_ptr<Blob> a(new Blob); }
    int two = news - n0; n0 = news;
    { auto b = std::make_shared<Blob>(); }
    int one = news - n0;
    std::printf("allocations: shared_ptr(new Blob) %d, make_shared<Blob>() %d\n", two, one);
    assert(two == 2 && one == 1 && dtors == 2);

    int d0 = deletes;
    std::weak_ptr<Blob> w;
    {
        auto s = std::make_shared<Blob>();
        w = s;
        auto s2 = s;
        assert(s.use_count() == 2);
    }
    std::printf("last shared_ptr gone: destructor ran %s, memory freed %d times, expired=%d\n",
                dtors == 3 ? "yes" : "no", deletes - d0, (int)w.expired());
    assert(dtors == 3 && deletes == d0 && w.expired());  // object dead, block (and its bytes) still held
    w.reset();
    assert(deletes == d0 + 1);                            // now the single allocation goes
    std::printf("last weak_ptr gone: memory freed %d time\n", deletes - d0);

    auto shared = std::make_shared<Blob>();
    std::atomic<long> peak{0};
    double t_copy = run4([&] {
        long c = use_copy(shared);                        // atomic increment + decrement on one cache line
        long p = peak.load(std::memory_order_relaxed);
        if (c > p) peak.compare_exchange_weak(p, c);
    });
    double t_ref = run4([&] { (void)use(shared); });
    std::printf("4 threads x 200k: peak use_count %ld, final use_count %ld; copy/const-ref time = %.1f\n",
                peak.load(), shared.use_count(), t_copy / t_ref);
    assert(shared.use_count() == 1 && peak > 1);
    assert(t_copy > t_ref);
    return 0;
}
