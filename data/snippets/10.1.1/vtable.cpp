// caption: 虚表指针在对象偏移 0 处（g++ 遵循的 Itanium C++ ABI 的实现行为）：读出 vptr，按槽位调用虚函数，vtable[-1] 是 type_info、vtable[-2] 是 offset-to-top；构造 Base 期间 vptr 指向 Base 的虚表；按值拷贝成 Base 会切片（vptr 是 Base 的）；经 Base* delete 时虚析构函数保证 ~Derived 运行；最后用 c++ -S 看一次虚调用编译成什么
// point: 虚函数表与虚表指针
// timeout: 30
#undef NDEBUG
#include <cassert>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <typeinfo>

static const void *vptr_of(const void *obj) {            // the first word of a polymorphic object
    const void *v; std::memcpy(&v, obj, sizeof v); return v;
}
struct Plain { long x; int get() const { return 1; } };
struct Base {
    long x = 7;
    static const void *seen_in_ctor;
    Base() { seen_in_ctor = vptr_of(this); }              // vptr set to Base's table before the body runs
    virtual ~Base() = default;
    virtual long get() const { return x; }
    virtual long twice() const { return 2 * get(); }
};
const void *Base::seen_in_ctor;
static int derived_dtors;
struct Derived : Base { long y = 5; long get() const override { return x + y; } ~Derived() override { ++derived_dtors; } };

int main() {
    std::printf("sizeof Plain %zu, sizeof Base %zu (one hidden pointer more)\n", sizeof(Plain), sizeof(Base));
    assert(sizeof(Base) == sizeof(Plain) + sizeof(void *));
    Base b;
    Derived d1, d2;                                       // built after b: last Base() ran inside d2
    std::printf("offset of x in Base: %td (vptr occupies 0..7)\n", (char *)&b.x - (char *)&b);
    assert((char *)&b.x - (char *)&b == (std::ptrdiff_t)sizeof(void *));

    using Slot = long (*)(const Base *);                  // Itanium: this is passed as the first argument
    auto *vt = static_cast<const Slot *>(vptr_of(&d1));
    assert(vt == vptr_of(&d2));                           // one table per class, shared by all objects
    assert(vt != vptr_of(&b));
    assert(Base::seen_in_ctor == vptr_of(&b));            // while Base() ran inside d2 the vptr was Base's
    // slots 0 and 1 are the two destructors (complete, deleting), then get, then twice
    long via_slot = vt[2](&d1), via_call = d1.get();
    std::printf("vt[2](&d1) = %ld, d1.get() = %ld, vt[3](&d1) = %ld\n", via_slot, via_call, vt[3](&d1));
    assert(via_slot == 12 && via_call == 12 && vt[3](&d1) == 24);
    const void *const *words = static_cast<const void *const *>(vptr_of(&d1));
    assert(words[-1] == &typeid(Derived));                // RTTI pointer just before the address point
    assert(words[-2] == nullptr);                         // offset-to-top: 0 for a primary table
    std::printf("vtable[-1] == &typeid(Derived): yes (%s); vtable[-2] offset-to-top = 0\n", typeid(d1).name());

    Base sliced = d1;                                     // copy of the Base part only: object slicing
    assert(vptr_of(&sliced) == vptr_of(&b) && sliced.get() == 7);
    Base *owner = new Derived;
    delete owner;                                         // slot 1 (deleting dtor) runs ~Derived, then ~Base
    assert(derived_dtors == 1);
    std::printf("sliced copy has Base's vptr (get() = %ld); delete via Base* ran ~Derived: %d\n", sliced.get(),
                derived_dtors);

    // what a virtual call compiles to: load vptr, load slot, indirect call/jump
    std::FILE *f = std::fopen("vcall.cpp", "w");
    std::fputs("struct B { virtual ~B(); virtual long get() const; };\n"
               "long call(const B *p) { return p->get(); }\n", f);
    std::fclose(f);
    assert(std::system("c++ -std=c++17 -O2 -S -o vcall.s vcall.cpp") == 0);
    std::printf("-- c++ -O2 -S, body of call(const B*):\n");
    std::fflush(stdout);
    int rc = std::system("sed -n '/^_Z4callPK1B:/,/cfi_endproc/p' vcall.s | grep -v '^\\s*\\.'");
    assert(rc == 0);
    assert(std::system("grep -Eq 'jmp[[:space:]]+\\*16\\(%rax\\)' vcall.s") == 0);  // slot 2 = byte 16
    return 0;
}
