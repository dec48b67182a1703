// caption: 虚函数与 CRTP 的同一求和：objdump 反汇编显示虚函数版循环里是间接调用 call *，CRTP 版没有调用、被内联展开；对同样 10 万个形状各求和 100 遍，取 5 次中最快的一次比较，CRTP 明显更快
// point: CRTP 与静态多态
// timeout: 60
#undef NDEBUG
#include <cassert>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

struct Shape { virtual ~Shape() = default; virtual int64_t area() const = 0; };   // dynamic polymorphism
struct VRect : Shape { int64_t w, h; VRect(int64_t a, int64_t b) : w(a), h(b) {} int64_t area() const override { return w * h; } };
struct VSquare : Shape { int64_t s; explicit VSquare(int64_t a) : s(a) {} int64_t area() const override { return s * s; } };

template <class D> struct ShapeBase {                                          // static polymorphism
    int64_t area() const { return static_cast<const D *>(this)->area_impl(); }
};
struct Rect : ShapeBase<Rect> { int64_t w, h; int64_t area_impl() const { return w * h; } };
struct Square : ShapeBase<Square> { int64_t s; int64_t area_impl() const { return s * s; } };

extern "C" __attribute__((noinline)) int64_t sum_virtual(const Shape *const *p, size_t n) {
    int64_t t = 0;
    for (size_t i = 0; i < n; i++) t += p[i]->area();                        // vtable load + indirect call
    return t;
}
template <class D> int64_t sum_static(const std::vector<D> &v) {
    int64_t t = 0;
    for (const D &x : v) t += x.area();                                        // resolved at compile time
    return t;
}
extern "C" __attribute__((noinline)) int64_t sum_crtp(const std::vector<Rect> &r, const std::vector<Square> &s) {
    return sum_static(r) + sum_static(s);
}

static std::string disasm(const char *fn) {
    char self[4096] = {};
    assert(readlink("/proc/self/exe", self, sizeof self - 1) > 0);    // this program's own file
    std::string cmd = std::string("objdump -d --no-show-raw-insn --disassemble=") + fn + " " + self, out;
    FILE *p = popen(cmd.c_str(), "r");
    assert(p);
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
    return out;
}

template <class F> static double best_ms(F f) {
    double best = 1e18;
    for (int k = 0; k < 5; k++) {
        auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

int main() {
    std::string v = disasm("sum_virtual"), c = disasm("sum_crtp");
    bool v_indirect = v.find("call   *") != std::string::npos, c_calls = false;
    for (size_t at = c.find("call"); at != std::string::npos; at = c.find("call", at + 1))  // sanitizer hooks aside
        c_calls |= c.substr(at, 60).find("san") == std::string::npos;
    std::printf("sum_virtual: indirect call (call *) %s; sum_crtp: any call %s\n", v_indirect ? "yes" : "no",
                c_calls ? "yes" : "no");
    assert(v_indirect && !c_calls);

    const size_t n = 100000;
    std::mt19937 rng(1);
    std::vector<VRect> vr;  std::vector<VSquare> vs;  std::vector<Rect> r;  std::vector<Square> s;
    vr.reserve(n), vs.reserve(n);
    std::vector<const Shape *> mixed;
    for (size_t i = 0; i < n; i++) {
        int64_t a = rng() % 100, b = rng() % 100;
        if (rng() % 2) vr.emplace_back(a, b), r.push_back(Rect{{}, a, b}), mixed.push_back(&vr.back());
        else vs.emplace_back(a), s.push_back(Square{{}, a}), mixed.push_back(&vs.back());
    }
    volatile int64_t sink = 0;
    int64_t expect = sum_virtual(mixed.data(), n);
    assert(sum_crtp(r, s) == expect);
    double tv = best_ms([&] { for (int k = 0; k < 100; k++) sink = sink + sum_virtual(mixed.data(), n); });
    double tc = best_ms([&] { for (int k = 0; k < 100; k++) sink = sink + sum_crtp(r, s); });
    std::printf("100 x %zu shapes, best of 5: virtual %.1f ms, CRTP %.1f ms, ratio %.1f\n", n, tv, tc, tv / tc);
    assert(tv > 1.5 * tc);
    return 0;
}
