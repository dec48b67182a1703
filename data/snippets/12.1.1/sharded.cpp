// caption: 线程安全的 LRU：一把互斥锁包住整个缓存 vs 按 key 哈希分 16 片、每片一把锁一个 LRU。纯内存访问时打印吞吐与命中率（本机 2 核且与其他任务共享，吞吐只打印不断言）；未命中时在锁内等 20 µs“回源”时，断言 4 和 8 线程下分片版快一倍以上，且分片几乎不改变命中率
// point: 线程安全的缓存
// timeout: 60
// exclusive: yes
#undef NDEBUG
#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

using Clock = std::chrono::steady_clock;
class Lru {
    std::size_t cap_; std::list<int> order_; std::unordered_map<int, std::list<int>::iterator> index_;
public:
    explicit Lru(std::size_t cap) : cap_(cap) { index_.reserve(cap + 1); }
    bool access(int k) {                                       // a hit reorders the list: even reads write
        if (auto it = index_.find(k); it != index_.end()) { order_.splice(order_.begin(), order_, it->second); return true; }
        if (order_.size() == cap_) { index_.erase(order_.back()); order_.pop_back(); }
        order_.push_front(k); index_[k] = order_.begin();
        return false;
    }
};
static bool locked_access(std::mutex &m, Lru &lru, int k, bool slow_miss) {
    std::lock_guard<std::mutex> g(m);
    bool hit = lru.access(k);
    if (!hit && slow_miss) std::this_thread::sleep_for(std::chrono::microseconds(20));  // load under the lock
    return hit;
}
struct OneLock {
    std::mutex m; Lru lru;
    explicit OneLock(std::size_t cap) : lru(cap) {}
    bool access(int k, bool slow) { return locked_access(m, lru, k, slow); }
};
struct Sharded {
    struct alignas(64) Shard { std::mutex m; Lru lru; explicit Shard(std::size_t c) : lru(c) {} };  // own cache line
    std::vector<std::unique_ptr<Shard>> shards;
    Sharded(std::size_t cap, std::size_t n) { for (std::size_t i = 0; i < n; i++) shards.push_back(std::make_unique<Shard>(cap / n)); }
    bool access(int k, bool slow) {
        std::uint64_t h = std::uint64_t(k) * 0x9E3779B97F4A7C15ull;   // mix: std::hash<int> is the identity
        Shard &s = *shards[(h >> 32) % shards.size()];
        return locked_access(s.m, s.lru, k, slow);
    }
};

struct Result { double secs, ops, hit; };
template <class Make> static Result run(const std::vector<std::vector<int>> &work, int threads, std::size_t n, bool slow,
                                        Make make) {
    Result best{1e30, 0, 0};
    for (int rep = 0; rep < 3; rep++) {                        // fresh cache each time; keep the fastest run
        auto cache = make();
        std::atomic<long> hits{0};
        std::atomic<int> ready{0};
        auto t0 = Clock::now();
        std::vector<std::thread> ts;
        for (int t = 0; t < threads; t++) ts.emplace_back([&, t] {
            ready++;
            while (ready < threads) std::this_thread::yield();  // start together
            long h = 0;
            for (std::size_t i = 0; i < n; i++) h += cache->access(work[t][i], slow);
            hits += h;
        });
        for (auto &t : ts) t.join();
        double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        if (secs < best.secs) best = {secs, threads * n / secs, 100.0 * hits / (threads * n)};
    }
    return best;
}

int main() {
    const int keys = 100000;
    std::vector<double> cdf(keys); double acc = 0;
    for (int i = 0; i < keys; i++) cdf[i] = acc += 1.0 / std::pow(i + 1, 0.9);
    std::vector<std::vector<int>> work(8);
    std::mt19937 rng(9);
    for (auto &w : work) for (int i = 0; i < 40000; i++)
        w.push_back(int(std::lower_bound(cdf.begin(), cdf.end(), std::uniform_real_distribution<>(0, acc)(rng)) - cdf.begin()));
    auto one = [] { return std::make_unique<OneLock>(2000); };
    auto sh = [] { return std::make_unique<Sharded>(2000, 16); };
    std::printf("in-memory only   | one mutex Mops/s  hit | 16 shards Mops/s  hit\n");
    for (int th : {1, 2, 4, 8}) {
        auto a = run(work, th, 40000, false, one), b = run(work, th, 40000, false, sh);
        std::printf("%2d thread(s)     | %16.2f %4.1f%% | %16.2f %4.1f%%\n", th, a.ops / 1e6, a.hit, b.ops / 1e6, b.hit);
        assert(std::fabs(a.hit - b.hit) < 2.0);                 // sharding barely changes what is kept
    }
    std::printf("miss waits 20 us | one mutex seconds     | 16 shards seconds     | speed-up\n");
    for (int th : {1, 4, 8}) {
        auto a = run(work, th, 500, true, one), b = run(work, th, 500, true, sh);
        std::printf("%2d thread(s)     | %21.3f | %21.3f | %5.1fx\n", th, a.secs, b.secs, a.secs / b.secs);
        if (th >= 4) assert(a.secs > 2 * b.secs);               // one lock serialises every backend wait
    }
    std::printf("cores here: %u\n", std::thread::hardware_concurrency());
    return 0;
}
