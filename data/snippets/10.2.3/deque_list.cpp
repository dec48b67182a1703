// caption: 用计数分配器看 libstdc++ 的 deque 与 list：deque<int> 的数据块固定 512 字节（128 个 int），另有一张指针数组“中控表”；两端各 push 2000 个元素后，早先元素的地址一个都没变；list<int> 每个元素一次 24 字节的分配，splice 不分配也不搬动节点
// point: deque 与 list 的结构
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <deque>
#include <list>
#include <map>
#include <new>

static std::map<size_t, int> *sizes;                   // allocation size -> count
template <class T> struct Counting {
    using value_type = T;
    Counting() = default;
    template <class U> Counting(const Counting<U> &) {}
    T *allocate(size_t n) { (*sizes)[n * sizeof(T)]++; return static_cast<T *>(::operator new(n * sizeof(T))); }
    void deallocate(T *p, size_t) { ::operator delete(p); }
    template <class U> bool operator==(const Counting<U> &) const { return true; }
    template <class U> bool operator!=(const Counting<U> &) const { return false; }
};

static void show(const char *what) {
    std::printf("%s allocations:", what);
    for (auto [bytes, count] : *sizes) std::printf(" %zu B x %d;", bytes, count);
    std::puts("");
}

int main() {
    std::map<size_t, int> s;
    sizes = &s;
    std::deque<int, Counting<int>> d;
    for (int i = 0; i < 1000; i++) d.push_back(i);
    const int *addr[1000];                             // references to elements stay valid on push at the ends
    for (int i = 0; i < 1000; i++) addr[i] = &d[i];
    int jumps = 0;
    for (int i = 1; i < 1000; i++) jumps += (addr[i] != addr[i - 1] + 1);
    std::printf("deque<int>: 1000 elements, address not contiguous with the previous one %d times\n", jumps);
    for (int i = 0; i < 2000; i++) d.push_back(i), d.push_front(-i);
    for (int i = 0; i < 1000; i++) assert(addr[i] == &d[2000 + i] && *addr[i] == i);
    std::printf("after 2000 push_back + 2000 push_front: all 1000 old addresses unchanged\n");
    show("deque");
    assert(s.count(512) && s[512] >= 5000 / 128);      // blocks of 512 bytes = 128 ints
    assert(jumps <= 1000 / 128 + 1);

    s.clear();
    std::list<int, Counting<int>> a, b;
    for (int i = 0; i < 1000; i++) a.push_back(i);
    show("list<int> 1000 push_back:");
    assert(s.size() == 1 && s.begin()->first == 2 * sizeof(void *) + sizeof(int) + 4 && s.begin()->second == 1000);
    const int *third = &*std::next(a.begin(), 2);
    s.clear();
    b.splice(b.end(), a);                              // relinks the nodes: O(1), no allocation, no copy
    assert(s.empty() && a.empty() && b.size() == 1000 && &*std::next(b.begin(), 2) == third);
    std::printf("splice of 1000 nodes: 0 allocations, element addresses unchanged\n");
    return 0;
}
