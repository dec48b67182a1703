// caption: 值类别：用 decltype((e)) 把表达式的值类别变成类型（T& 是左值、T&& 是将亡值、T 是纯右值）并打印出来；具名的右值引用变量本身是左值；std::move 只是转换，什么也不搬
// point: 左值、右值与将亡值
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <string>
#include <utility>

template <class T> struct category { static constexpr const char *name = "prvalue"; };
template <class T> struct category<T &> { static constexpr const char *name = "lvalue"; };
template <class T> struct category<T &&> { static constexpr const char *name = "xvalue"; };
#define SHOW(e) std::printf("  %-26s %s\n", #e, category<decltype((e))>::name)
#define IS(e, want) static_assert(std::char_traits<char>::compare(category<decltype((e))>::name, want, 6) == 0, #e)

struct Msg { std::string body; int id = 0; };
static int g;
static int value() { return 1; }
static int &ref() { return g; }
static int &&rref() { return std::move(g); }
static const char *which(std::string &) { return "T&  overload"; }
static const char *which(std::string &&) { return "T&& overload"; }

int main() {
    int x = 0, arr[3] = {};
    int &&named = 5;                                 // an rvalue reference with a name...
    Msg m;
    (void)arr; (void)named;                          // decltype operands are never evaluated
    std::printf("expression                 category\n");
    SHOW(x); SHOW(x + 1); SHOW(++x); SHOW(x++); SHOW(arr[0]);
    SHOW("literal"); SHOW(42); SHOW(value()); SHOW(ref()); SHOW(rref());
    SHOW(std::move(x)); SHOW(static_cast<int &&>(x)); SHOW(named);
    SHOW(Msg{}); SHOW(Msg{}.id); SHOW(std::move(m).body); SHOW(m.body);
    IS(x, "lvalue"); IS(x + 1, "prvalue"); IS(++x, "lvalue"); IS(x++, "prvalue"); IS("literal", "lvalue");
    IS(value(), "prvalue"); IS(ref(), "lvalue"); IS(rref(), "xvalue"); IS(std::move(x), "xvalue");
    IS(named, "lvalue");                             // ...is an lvalue
    IS(Msg{}.id, "xvalue");                          // member of a temporary: materialised, expiring
    IS(std::move(m).body, "xvalue");

    std::string s = "payload";
    std::string &&r = std::move(s);                  // binds, moves nothing
    std::printf("after std::move(s) bound to a reference: s = \"%s\"\n", s.c_str());
    assert(s == "payload" && &r == &s);
    std::printf("which(r) -> %s, which(std::move(r)) -> %s\n", which(r), which(std::move(r)));
    assert(std::string(which(r)) == "T&  overload");
    std::string t = std::move(s);                    // the move constructor does the work
    std::printf("after std::string t = std::move(s): t = \"%s\", s.size() = %zu (valid, unspecified)\n",
                t.c_str(), s.size());
    assert(t == "payload");
    return 0;
}
