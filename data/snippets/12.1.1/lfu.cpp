// caption: 手写 O(1) LFU：key → 链表节点，频率 → 桶（同频按最近使用排序），min_freq 指向最低非空桶；与朴素实现逐次对比；再在三种访问序列（平稳 Zipf、Zipf 混入扫描、热点轮换）上比较 LRU、LFU 与模仿 Redis 的“抽样 5/10 个淘汰最久未用”的命中率
// point: LFU：按访问频率分桶
// timeout: 40
#undef NDEBUG
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <list>
#include <random>
#include <unordered_map>
#include <vector>

class Lfu {                                    // int keys; value omitted: hit/miss is what we measure
    struct Node { int key; long freq; };
    std::size_t cap_; long min_freq_ = 0;
    std::unordered_map<int, std::list<Node>::iterator> index_;
    std::unordered_map<long, std::list<Node>> buckets_;        // front = most recent in that frequency
    void touch(std::list<Node>::iterator it) {
        long f = it->freq;
        auto &from = buckets_[f], &to = buckets_[f + 1];       // map rehash keeps references valid
        to.splice(to.begin(), from, it);
        it->freq = f + 1;
        if (from.empty()) { buckets_.erase(f); if (min_freq_ == f) min_freq_ = f + 1; }
    }
public:
    explicit Lfu(std::size_t cap) : cap_(cap) {}
    bool access(int k, int *evicted = nullptr) {               // get, and put on a miss
        if (auto it = index_.find(k); it != index_.end()) { touch(it->second); return true; }
        if (index_.size() == cap_) {
            auto &low = buckets_[min_freq_];                   // least frequent, least recent among them
            if (evicted) *evicted = low.back().key;
            index_.erase(low.back().key);
            low.pop_back();
            if (low.empty()) buckets_.erase(min_freq_);
        }
        auto &one = buckets_[1];
        one.push_front({k, 1});
        index_[k] = one.begin();
        min_freq_ = 1;
        return false;
    }
};
class Lru {
    std::size_t cap_; std::list<int> order_; std::unordered_map<int, std::list<int>::iterator> index_;
public:
    explicit Lru(std::size_t cap) : cap_(cap) {}
    bool access(int k) {
        if (auto it = index_.find(k); it != index_.end()) { order_.splice(order_.begin(), order_, it->second); return true; }
        if (order_.size() == cap_) { index_.erase(order_.back()); order_.pop_back(); }
        order_.push_front(k); index_[k] = order_.begin();
        return false;
    }
};
class SampledLru {                              // model of Redis's approximation: no list, sample and compare
    std::size_t cap_, samples_; long tick_ = 0; std::mt19937 rng_{7};
    std::vector<int> keys_; std::unordered_map<int, std::pair<std::size_t, long>> meta_;  // slot, last use
public:
    SampledLru(std::size_t cap, std::size_t samples) : cap_(cap), samples_(samples) {}
    bool access(int k) {
        ++tick_;
        if (auto it = meta_.find(k); it != meta_.end()) { it->second.second = tick_; return true; }
        if (keys_.size() == cap_) {
            std::size_t victim = rng_() % keys_.size();
            for (std::size_t s = 1; s < samples_; s++) {
                std::size_t c = rng_() % keys_.size();
                if (meta_[keys_[c]].second < meta_[keys_[victim]].second) victim = c;
            }
            meta_.erase(keys_[victim]);
            keys_[victim] = keys_.back(); keys_.pop_back();
            if (victim < keys_.size()) meta_[keys_[victim]].first = victim;
        }
        meta_[k] = {keys_.size(), tick_}; keys_.push_back(k);
        return false;
    }
};

static void check_against_naive() {             // evict min (freq, last use), like the bucket order
    struct E { int k; long f, t; };
    std::vector<E> ref; Lfu lfu(32); std::mt19937 rng(1);
    for (long t = 1; t <= 100000; t++) {
        int k = rng() % 64, ev = -1, ref_ev = -1;
        auto it = std::find_if(ref.begin(), ref.end(), [&](const E &e) { return e.k == k; });
        bool ref_hit = it != ref.end();
        if (ref_hit) { it->f++; it->t = t; }
        else {
            if (ref.size() == 32) {
                auto m = std::min_element(ref.begin(), ref.end(),
                                          [](const E &a, const E &b) { return a.f != b.f ? a.f < b.f : a.t < b.t; });
                ref_ev = m->k; ref.erase(m);
            }
            ref.push_back({k, 1, t});
        }
        assert(lfu.access(k, &ev) == ref_hit && ev == ref_ev);
    }
}

int main() {
    check_against_naive();
    std::printf("O(1) LFU matches the O(n) model on 100000 random accesses (same hits, same victims)\n");
    const int keys = 50000, cache = 500, n = 400000;
    std::vector<double> cdf(keys);                             // Zipf, s = 0.9
    double acc = 0;
    for (int i = 0; i < keys; i++) cdf[i] = acc += 1.0 / std::pow(i + 1, 0.9);
    std::mt19937 rng(2026);
    auto zipf = [&] { return int(std::lower_bound(cdf.begin(), cdf.end(), std::uniform_real_distribution<>(0, acc)(rng)) - cdf.begin()); };
    std::vector<std::vector<int>> traces(3);
    int fresh = keys;
    for (int i = 0; i < n; i++) traces[0].push_back(zipf());
    for (int i = 0; i < n; i++) {                               // every 2000 requests, scan 1000 one-off keys
        if (i % 2000 == 0) for (int s = 0; s < 1000; s++) traces[1].push_back(fresh++);
        traces[1].push_back(zipf());
    }
    for (int i = 0; i < n; i++) traces[2].push_back((zipf() + (i / 50000) * 7919) % keys);  // hot set moves
    const char *names[] = {"zipf 0.9", "zipf + scans", "moving hot set"};
    char head[40]; std::snprintf(head, sizeof head, "hit rate, cache %d/%d", cache, keys);
    std::printf("%-28s %7s %7s %9s %9s\n", head, "LRU", "LFU", "sampled5", "sampled10");
    double r[3][4];
    for (int t = 0; t < 3; t++) {
        Lru lru(cache); Lfu lfu(cache); SampledLru s5(cache, 5), s10(cache, 10);
        long h[4] = {}, counted = 0;                              // scan requests miss by nature: not counted
        for (int k : traces[t]) {
            bool a = lru.access(k), b = lfu.access(k), c = s5.access(k), d = s10.access(k);
            if (k >= keys) continue;
            counted++; h[0] += a; h[1] += b; h[2] += c; h[3] += d;
        }
        for (int p = 0; p < 4; p++) r[t][p] = 100.0 * h[p] / counted;
        std::printf("%-28s %6.1f%% %6.1f%% %8.1f%% %8.1f%%\n", names[t], r[t][0], r[t][1], r[t][2], r[t][3]);
    }
    assert(r[0][1] > r[0][0]);                  // stable popularity: frequency wins
    assert(r[1][0] < r[0][0] - 1 && r[1][1] > r[0][1] - 0.5);  // scans flush LRU, not LFU's frequent keys
    assert(r[2][0] > r[2][1]);                  // LFU without aging clings to yesterday's hot keys
    assert(std::fabs(r[0][3] - r[0][0]) < 3 && std::fabs(r[0][2] - r[0][0]) < 5);  // sampling approximates LRU
    return 0;
}
