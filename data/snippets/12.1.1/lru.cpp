// caption: 手写 LRU：std::list 存 (key, value)，unordered_map 存 key → 链表迭代器；命中时用 splice 把节点挪到表头，O(1) 且不分配内存（替换 operator new 计数为 0）、迭代器不失效；淘汰表尾；随机 20 万次操作与一个 O(n) 的朴素实现逐次对比
// point: LRU：哈希表加双向链表
// timeout: 20
#undef NDEBUG
#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <new>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

static long allocations;
void *operator new(std::size_t n) { ++allocations; if (void *p = std::malloc(n ? n : 1)) return p; throw std::bad_alloc(); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

template <class K, class V> class LruCache {
    using Entry = std::pair<K, V>;
    std::size_t cap_;
    std::list<Entry> order_;                                      // front = most recently used
    std::unordered_map<K, typename std::list<Entry>::iterator> index_;
public:
    explicit LruCache(std::size_t cap) : cap_(cap) { index_.reserve(cap + 1); }
    std::optional<V> get(const K &k) {
        auto it = index_.find(k);
        if (it == index_.end()) return std::nullopt;
        order_.splice(order_.begin(), order_, it->second);        // relink only: iterator stays valid
        return it->second->second;
    }
    void put(const K &k, V v) {
        if (auto it = index_.find(k); it != index_.end()) {
            it->second->second = std::move(v);
            order_.splice(order_.begin(), order_, it->second);
            return;
        }
        if (order_.size() == cap_) {                              // evict the least recently used
            index_.erase(order_.back().first);
            order_.pop_back();
        }
        order_.emplace_front(k, std::move(v));
        index_.emplace(k, order_.begin());
    }
    std::size_t size() const { return order_.size(); }
};

struct NaiveLru {                                                 // O(n) reference: vector in recency order
    std::size_t cap; std::vector<std::pair<int, int>> v;          // back = most recent
    std::optional<int> get(int k) {
        auto it = std::find_if(v.begin(), v.end(), [&](auto &e) { return e.first == k; });
        if (it == v.end()) return std::nullopt;
        auto e = *it; v.erase(it); v.push_back(e); return e.second;
    }
    void put(int k, int val) {
        if (get(k)) { v.back().second = val; return; }
        if (v.size() == cap) v.erase(v.begin());
        v.emplace_back(k, val);
    }
};

int main() {
    LruCache<int, int> c(2);
    c.put(1, 10); c.put(2, 20);
    assert(c.get(1) == 10);                                       // 1 becomes most recent
    c.put(3, 30);                                                 // evicts 2
    assert(!c.get(2) && c.get(3) == 30);
    c.put(4, 40);                                                 // evicts 1
    assert(!c.get(1) && c.get(3) == 30 && c.get(4) == 40);
    std::printf("capacity 2: put 1,2; get 1; put 3 -> 2 evicted; put 4 -> 1 evicted\n");

    LruCache<int, int> fast(64);
    NaiveLru slow{64, {}};
    std::mt19937 rng(42);
    long hits = 0;
    for (int i = 0; i < 200000; i++) {
        int k = rng() % 128, v = (int)rng();
        if (rng() % 3) { auto a = fast.get(k), b = slow.get(k); assert(a == b); hits += a.has_value(); }
        else { fast.put(k, v); slow.put(k, v); }
    }
    std::printf("200000 random ops on 128 keys, capacity 64: identical to the O(n) model, %ld hits\n", hits);

    for (int k = 0; k < 64; k++) fast.put(k, k);                  // make every key 0..63 present
    long before = allocations;
    for (int r = 0; r < 1000; r++) for (int k = 0; k < 64; k++) assert(fast.get(k) == k);
    std::printf("64000 get() hits allocated %ld times (splice relinks, never copies)\n", allocations - before);
    assert(allocations == before);
    return 0;
}
