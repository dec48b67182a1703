// caption: RTTI 与 dynamic_cast：typeid 取动态类型，dynamic_cast 失败返回 nullptr 或抛 bad_cast，能做交叉转换，dynamic_cast<void*> 找回完整对象；计时比较 static_cast、虚调用、转到最终类型与转到中间类型的 dynamic_cast（只断言相对关系）
// point: RTTI 与 dynamic_cast
// timeout: 30
// exclusive: yes
#undef NDEBUG
#include <cassert>
#include <chrono>
#include <cstdio>
#include <typeinfo>
#include <vector>

struct Base { virtual ~Base() = default; virtual long get() const { return 1; } long v = 1; };
struct Mid1 : Base {}; struct Mid2 : Mid1 {};
struct Leaf : Mid2 { long get() const override { return 2; } };
struct Other : Base {};
struct Tag { virtual ~Tag() = default; };
struct Both : Leaf, Tag {};

template <class F> static double best_ns(const std::vector<Base *> &v, F f) {  // best of 5 runs, ns per element
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        auto t0 = std::chrono::steady_clock::now();
        long sum = 0;
        for (Base *p : v) sum += f(p);
        auto t1 = std::chrono::steady_clock::now();
        assert(sum > 0);
        double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / v.size();
        if (ns < best) best = ns;
    }
    return best;
}

int main() {
    Both both; Base *pb = static_cast<Leaf *>(&both);
    std::printf("typeid(*pb) = %s (dynamic), typeid(pb) = %s (static)\n", typeid(*pb).name(), typeid(pb).name());
    assert(typeid(*pb) == typeid(Both) && typeid(pb) == typeid(Base *));
    assert(dynamic_cast<Other *>(pb) == nullptr);                     // wrong branch: null, no exception
    bool threw = false;
    try { (void)dynamic_cast<Other &>(*pb); } catch (const std::bad_cast &) { threw = true; }
    assert(threw);                                                    // references cannot be null: throws
    Tag *tag = dynamic_cast<Tag *>(pb);                               // cross cast between unrelated bases
    assert(tag != nullptr && (void *)tag != (void *)pb);
    assert(dynamic_cast<void *>(tag) == (void *)&both);               // most derived object's address

    std::vector<Leaf> objs(1 << 20);
    std::vector<Base *> v;
    for (auto &o : objs) v.push_back(&o);
    double t_static = best_ns(v, [](Base *p) { return static_cast<Leaf *>(p)->v; });
    double t_virt = best_ns(v, [](Base *p) { return p->get(); });
    double t_leaf = best_ns(v, [](Base *p) { return dynamic_cast<Leaf *>(p)->v; });
    double t_mid = best_ns(v, [](Base *p) { return dynamic_cast<Mid1 *>(p)->v; });
    double t_fail = best_ns(v, [](Base *p) { return dynamic_cast<Other *>(p) ? 0L : 1L; });
    std::printf("per cast, relative to a virtual call (=1.0):\n");
    std::printf("  static_cast<Leaf*>           %5.1f\n", t_static / t_virt);
    std::printf("  dynamic_cast<Leaf*> (exact)  %5.1f\n", t_leaf / t_virt);
    std::printf("  dynamic_cast<Mid1*> (walk)   %5.1f\n", t_mid / t_virt);
    std::printf("  dynamic_cast<Other*> (fails) %5.1f\n", t_fail / t_virt);
    assert(t_leaf > t_static);                 // a library call versus pointer arithmetic
    assert(t_mid > 2 * t_virt);                // walking the type_info graph costs several virtual calls
    assert(t_mid > t_leaf);                    // exact most-derived type has a fast path in __dynamic_cast
    return 0;
}
