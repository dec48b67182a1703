// caption: 多重继承的 this 指针调整（B* 比 C* 大 16 字节，B 子对象的虚表里 offset-to-top = -16，重写函数经 non-virtual thunk 进入）；菱形继承：普通继承两份 V、虚继承一份 V，虚基类在 L 子对象里的偏移随最终类型而变，要经虚表里的 vbase offset 去找
// point: 多重继承与虚继承
// timeout: 30
#undef NDEBUG
#include <cassert>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct A { virtual ~A() = default; long a = 1; };
struct B { virtual ~B() = default; virtual long who() const { return 2; } long b = 2; };
struct C : A, B { long c = 3; long who() const override { return c; } };

struct V { long v = 0; };
struct L1 : V { long l = 0; };  struct R1 : V { long r = 0; };  struct D1 : L1, R1 {};   // two V's
struct L : virtual V { long l = 0; };  struct R : virtual V { long r = 0; };
struct D : L, R { long d = 0; };                                                     // one shared V

static std::ptrdiff_t diff(const void *p, const void *q) { return (const char *)p - (const char *)q; }
static std::ptrdiff_t v_in_l(const L &x) { return diff(static_cast<const V *>(&x), &x); }  // runtime lookup

int main() {
    C obj;
    A *pa = &obj; B *pb = &obj;
    std::printf("&obj=%p  (A*)=%p  (B*)=%p  -> B subobject at +%td\n", (void *)&obj, (void *)pa, (void *)pb,
                diff(pb, &obj));
    assert(diff(pa, &obj) == 0 && diff(pb, &obj) == 16);            // vptr_A + a, then B's vptr
    assert(static_cast<C *>(pb) == &obj);                            // downcast subtracts 16 again
    B *none = nullptr; C *cnull = static_cast<C *>(none);
    assert(cnull == nullptr);                                        // the adjustment skips null
    assert(pb->who() == 3);                                          // B's slot in C runs C::who
    long vptr_b[1]; std::memcpy(vptr_b, pb, sizeof(long));
    long offset_to_top = reinterpret_cast<const long *>(vptr_b[0])[-2];
    std::printf("B-in-C vtable: offset-to-top = %ld; sizeof(C) = %zu\n", offset_to_top, sizeof(C));
    assert(offset_to_top == -16);

    D1 d1; D d;
    std::printf("sizeof: D1 (two V) %zu, L %zu, R %zu, D (one virtual V) %zu\n", sizeof(D1), sizeof(L), sizeof(R),
                sizeof(D));
    assert(diff(static_cast<V *>(static_cast<L1 *>(&d1)), static_cast<V *>(static_cast<R1 *>(&d1))) != 0);
    assert(static_cast<V *>(static_cast<L *>(&d)) == static_cast<V *>(static_cast<R *>(&d)));
    L alone;
    std::printf("V inside L: +%td when L is complete, +%td when L is a base of D\n", v_in_l(alone), v_in_l(d));
    assert(v_in_l(alone) != v_in_l(d));                              // hence a table lookup, not a constant
    std::printf("D at %p: L at +%td, R at +%td, d at +%td, V at +%td\n", (void *)&d, diff(static_cast<L *>(&d), &d),
                diff(static_cast<R *>(&d), &d), diff(&d.d, &d), diff(static_cast<V *>(&d), &d));

    std::FILE *f = std::fopen("mi.cpp", "w");
    std::fputs("struct A { virtual ~A(); long a; }; struct B { virtual ~B(); virtual long who() const; long b; };\n"
               "struct C : A, B { long c; long who() const override; };\nlong C::who() const { return c; }\n", f);
    std::fclose(f);
    assert(std::system("c++ -std=c++17 -O2 -S -o mi.s mi.cpp") == 0);
    std::printf("-- thunk in B's slot of C: this-16 then C::who, inlined: c is at C+32 = B+16\n");
    std::fflush(stdout);
    assert(std::system("sed -n '/^_ZThn16_NK1C3whoEv:/,/cfi_endproc/p' mi.s | grep -v '^\\s*\\.' | c++filt") == 0);
    assert(std::system("grep -q '^_ZThn16_NK1C3whoEv:' mi.s") == 0);
    return 0;
}
