// caption: 完美转发：转发引用 T&& 按实参推导出 T& 或 T，引用折叠后 std::forward 还原值类别；不转发的包装把右值也变成拷贝；emplace_back 原地构造省掉 push_back(T(...)) 的那次移动
// point: 完美转发
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

static long copies, moves, builds;
struct Noisy {
    std::string s;
    explicit Noisy(std::string v) : s(std::move(v)) { ++builds; }
    Noisy(const Noisy &o) : s(o.s) { ++copies; }
    Noisy(Noisy &&o) noexcept : s(std::move(o.s)) { ++moves; }
};
struct Holder { Noisy n; int tag; Holder(Noisy x, int t) : n(std::move(x)), tag(t) {} };

template <class T> constexpr const char *deduced() {
    return std::is_lvalue_reference_v<T> ? "T = U&  (lvalue)" : "T = U   (rvalue)";
}
template <class T, class... A> std::unique_ptr<T> make_fwd(A &&...a) { return std::unique_ptr<T>(new T(std::forward<A>(a)...)); }
template <class T, class... A> std::unique_ptr<T> make_nofwd(A &&...a) { return std::unique_ptr<T>(new T(a...)); }
template <class A> const char *probe(A &&) { return deduced<A>(); }

static void count(const char *what) {
    std::printf("  %-40s copies %ld, moves %ld\n", what, copies, moves);
}

int main() {
    Noisy lv("lvalue");
    std::printf("probe(lv): %s, probe(Noisy{..}): %s\n", probe(lv), probe(Noisy("tmp")));
    using L = int &; using R = int &&;                              // collapsing happens through aliases
    static_assert(std::is_same_v<L &&, int &> && std::is_same_v<R &, int &> && std::is_same_v<R &&, int &&>);

    copies = moves = 0; auto a = make_fwd<Holder>(lv, 1);            count("make_fwd(lvalue)");
    assert(copies == 1 && moves == 1);   // copy into parameter x, move into member
    copies = moves = 0; auto b = make_fwd<Holder>(Noisy("r"), 2);    count("make_fwd(rvalue)");
    assert(copies == 0 && moves == 2);   // forwarded as rvalue: no copy at all
    copies = moves = 0; auto c = make_nofwd<Holder>(Noisy("r"), 3);  count("make_nofwd(rvalue)  (forgot forward)");
    assert(copies == 1);                 // a named parameter is an lvalue: the rvalue got copied

    std::vector<Noisy> v; v.reserve(4);
    copies = moves = builds = 0; v.push_back(Noisy("p"));            count("push_back(Noisy(\"p\"))");
    assert(builds == 1 && moves == 1 && copies == 0);
    copies = moves = builds = 0; v.emplace_back("e");                count("emplace_back(\"e\")");
    assert(builds == 1 && moves == 0 && copies == 0);                // built in place from the forwarded args
    return a->tag + b->tag + c->tag == 6 ? 0 : 1;
}
