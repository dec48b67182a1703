// caption: 移动构造与 noexcept：vector 扩容搬迁旧元素时，移动构造是 noexcept 才移动，否则为了强异常保证改用拷贝（计数：搬迁 N 个元素就是 N 次拷贝）；只声明了析构函数的类没有隐式移动构造，也退化成拷贝
// point: 移动构造与 noexcept
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

static long copies, moves;
template <bool NoExcept> struct Noisy {
    std::string payload = std::string(32, 'x');     // long enough to live on the heap
    Noisy() = default;
    Noisy(const Noisy &o) : payload(o.payload) { ++copies; }
    Noisy(Noisy &&o) noexcept(NoExcept) : payload(std::move(o.payload)) { ++moves; }
    Noisy &operator=(const Noisy &) = default;
    Noisy &operator=(Noisy &&) = default;
};
struct OnlyDtor {                                   // "rule of five" violated: no implicit move
    Noisy<true> inner;
    ~OnlyDtor() {}
};

template <class T> static void grow(const char *name, long n) {
    copies = moves = 0;
    long relocated = 0;
    std::vector<T> v;
    for (long i = 0; i < n; i++) {
        if (v.size() == v.capacity()) relocated += v.size();  // this push_back reallocates
        v.emplace_back();
    }
    std::printf("%-30s relocated %4ld elements: copies %4ld, moves %4ld\n", name, relocated, copies, moves);
    if (std::is_nothrow_move_constructible_v<T>) assert(copies == 0 && moves == relocated);
    else assert(copies == relocated && moves == 0);
}

int main() {
    static_assert(std::is_nothrow_move_constructible_v<Noisy<true>>);
    static_assert(!std::is_nothrow_move_constructible_v<Noisy<false>>);
    static_assert(std::is_nothrow_move_constructible_v<std::string>);
    grow<Noisy<true>>("Noisy(Noisy&&) noexcept", 1000);
    grow<Noisy<false>>("Noisy(Noisy&&) (may throw)", 1000);
    grow<OnlyDtor>("OnlyDtor (user ~OnlyDtor)", 1000);  // its "move" is the copy constructor

    copies = moves = 0;
    Noisy<false> a;
    Noisy<false> b = std::move_if_noexcept(a);      // the helper vector uses
    std::printf("std::move_if_noexcept on a throwing move: copies %ld, moves %ld\n", copies, moves);
    assert(copies == 1 && moves == 0);
    return 0;
}
