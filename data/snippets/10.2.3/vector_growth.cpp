// caption: libstdc++ 的 vector 从空开始 push_back 1000 个元素：容量序列 1, 2, 4, …, 1024（每次翻倍），共 11 次重新分配，每次 data() 地址都变；元素搬家时移动构造是 noexcept 才用移动，否则退回拷贝；reserve 之后一次也不搬
// point: vector 的扩容
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

static int moves, copies;
template <bool Noexcept> struct Item {
    std::string s = "payload";
    Item() = default;
    Item(const Item &o) : s(o.s) { ++copies; }
    Item(Item &&o) noexcept(Noexcept) : s(std::move(o.s)) { ++moves; }
};

template <bool Noexcept> static void relocations(const char *name) {
    moves = copies = 0;
    std::vector<Item<Noexcept>> v;
    for (int i = 0; i < 1000; i++) v.emplace_back();
    std::printf("%-26s moves %4d, copies %4d\n", name, moves, copies);
    // 1 + 2 + 4 + ... + 512 = 1023 elements relocated in total: amortized O(1) per push_back
    assert((Noexcept ? moves : copies) == 1023 && (Noexcept ? copies : moves) == 0);
}

int main() {
    std::vector<int> v;
    std::string seq;
    int reallocs = 0;
    for (int i = 0; i < 1000; i++) {
        size_t old_cap = v.capacity();
        uintptr_t old_data = reinterpret_cast<uintptr_t>(v.data());   // an address, never dereferenced
        v.push_back(i);
        if (v.capacity() != old_cap) {
            reallocs++;
            seq += std::to_string(v.capacity()) + " ";
            assert(old_cap == 0 || v.capacity() == 2 * old_cap);      // size() + max(size(), 1)
            assert(old_cap == 0 || reinterpret_cast<uintptr_t>(v.data()) != old_data);  // moved to a new block
        }
    }
    std::printf("capacity after each reallocation: %s\n", seq.c_str());
    std::printf("reallocations for 1000 push_back: %d\n", reallocs);
    assert(reallocs == 11 && v.capacity() == 1024);

    std::vector<int> r;
    r.reserve(1000);
    const int *first = r.data();
    for (int i = 0; i < 1000; i++) r.push_back(i);
    assert(r.data() == first);                                        // no reallocation, pointers stay valid
    std::printf("with reserve(1000): data() unchanged, capacity %zu\n", r.capacity());

    relocations<true>("Item(Item&&) noexcept:");
    relocations<false>("Item(Item&&) may throw:");     // std::move_if_noexcept keeps the strong guarantee

    v.resize(10);
    std::printf("resize(10): size %zu, capacity still %zu", v.size(), v.capacity());
    assert(v.capacity() == 1024);
    v.shrink_to_fit();
    std::printf("; after shrink_to_fit %zu\n", v.capacity());
    assert(v.capacity() == 10);
    return 0;
}
