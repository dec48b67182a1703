// caption: 对象布局：成员按声明顺序排、按 alignof 补齐（重排成员 24 → 16 字节），空类占 1 字节，空基类优化让它作为基类时不占空间，unique_ptr 的无状态删除器也因此不占空间
// point: 对象的内存布局与对齐
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

struct Bad  { char a; double d; char b; };           // 1 + 7 pad + 8 + 1 + 7 pad
struct Good { double d; char a; char b; };           // 8 + 1 + 1 + 6 pad
struct Empty {};                                      // no members, still an object
struct HasEmpty { Empty e; int x; };                  // member: needs its own address
struct FromEmpty : Empty { int x; };                  // base: empty base optimisation
struct FreeDeleter { void operator()(void *p) const { std::free(p); } };
using FnDeleter = void (*)(void *);
static void free_it(void *p) { std::free(p); }

int main() {
    std::printf("Bad : sizeof %zu alignof %zu  offsets a=%zu d=%zu b=%zu\n", sizeof(Bad), alignof(Bad),
                offsetof(Bad, a), offsetof(Bad, d), offsetof(Bad, b));
    std::printf("Good: sizeof %zu alignof %zu  offsets d=%zu a=%zu b=%zu\n", sizeof(Good), alignof(Good),
                offsetof(Good, d), offsetof(Good, a), offsetof(Good, b));
    assert(offsetof(Bad, d) == alignof(double) && sizeof(Bad) == 3 * alignof(double));
    assert(sizeof(Good) == 2 * alignof(double));      // same members, a third smaller
    assert(sizeof(Bad) % alignof(Bad) == 0);          // size rounds up so arrays stay aligned

    Bad arr[2];
    std::printf("Bad[2]: &arr[1] - &arr[0] = %td bytes\n", (char *)&arr[1] - (char *)&arr[0]);

    std::printf("Empty %zu, HasEmpty %zu, FromEmpty %zu\n", sizeof(Empty), sizeof(HasEmpty), sizeof(FromEmpty));
    assert(sizeof(Empty) == 1);                       // distinct objects need distinct addresses
    assert(sizeof(HasEmpty) == 2 * sizeof(int));      // 1 byte + 3 pad + int
    assert(sizeof(FromEmpty) == sizeof(int));         // EBO: the base occupies no storage
    FromEmpty fe;
    assert((void *)static_cast<Empty *>(&fe) == (void *)&fe.x);  // base shares the address of x

    std::unique_ptr<int, FreeDeleter> a(static_cast<int *>(std::malloc(sizeof(int))));
    std::unique_ptr<int, FnDeleter> b(static_cast<int *>(std::malloc(sizeof(int))), free_it);
    std::printf("unique_ptr<int, FreeDeleter> %zu, unique_ptr<int, void(*)(void*)> %zu\n", sizeof(a), sizeof(b));
    assert(sizeof(a) == sizeof(void *));              // stateless deleter folded away (EBO in libstdc++'s tuple)
    assert(sizeof(b) == 2 * sizeof(void *));          // a function pointer has to be stored
    std::printf("alignof: char %zu int %zu double %zu max_align_t %zu\n", alignof(char), alignof(int),
                alignof(double), alignof(std::max_align_t));
    return 0;
}
