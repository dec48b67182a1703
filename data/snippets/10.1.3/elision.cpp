// caption: 返回值优化与拷贝消除：C++17 返回纯右值是“保证的拷贝消除”，连不可拷贝也不可移动的类型都能按值返回；具名返回值优化（NRVO）只是允许的优化：同一段程序用 -fno-elide-constructors 再编一次，纯右值仍是 0 次移动，具名变量变成 1 次；两个候选对象、return std::move(x)、返回参数都得不到 NRVO
// point: 返回值优化与拷贝消除
// timeout: 40
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

struct Pinned {                                     // neither copyable nor movable
    int fd;
    explicit Pinned(int f) : fd(f) {}
    Pinned(const Pinned &) = delete;
    Pinned(Pinned &&) = delete;
};
static Pinned open_pinned(int f) { return Pinned(f); }  // OK since C++17: no temporary exists

static const char *program = R"(#include <cstdio>
#include <utility>
static int moves, copies;
struct N { int v = 0; N() = default; N(const N &o) : v(o.v) { ++copies; } N(N &&o) noexcept : v(o.v) { ++moves; } };
N prvalue() { return N(); }
N named() { N n; n.v = 1; return n; }
N either(bool f) { N a, b; a.v = 1; if (f) return a; return b; }
N pessimized() { N n; n.v = 1; return std::move(n); }
N param(N p) { return p; }
#define RUN(e) moves = copies = 0; { N r = e; (void)r; } std::printf("%s %d %d\n", #e, moves, copies)
int main() { RUN(prvalue()); RUN(named()); RUN(either(true)); RUN(pessimized()); RUN(param(N())); }
)";

static std::map<std::string, int> run(const char *flags) {     // expression -> number of moves
    char cmd[256];
    std::snprintf(cmd, sizeof cmd, "c++ -std=c++17 -O2 %s -Wno-pessimizing-move -o el el.cpp && ./el > el.txt",
                  flags);
    assert(std::system(cmd) == 0);
    std::map<std::string, int> out;
    std::FILE *f = std::fopen("el.txt", "r");
    char name[64]; int m, c;
    while (std::fscanf(f, "%63s %d %d", name, &m, &c) == 3) { assert(c == 0); out[name] = m; }
    std::fclose(f);
    return out;
}

int main() {
    Pinned p = open_pinned(3);
    std::printf("returned a non-copyable, non-movable Pinned by value: fd=%d\n", p.fd);
    std::FILE *f = std::fopen("el.cpp", "w");
    std::fputs(program, f);
    std::fclose(f);
    auto dflt = run(""), noel = run("-fno-elide-constructors");
    std::printf("%-16s %8s %26s\n", "return of", "default", "-fno-elide-constructors");
    for (auto &kv : dflt) std::printf("%-16s %8d %26d\n", kv.first.c_str(), kv.second, noel[kv.first]);
    assert(dflt["prvalue()"] == 0 && noel["prvalue()"] == 0);       // guaranteed: not an optimisation
    assert(dflt["named()"] == 0 && noel["named()"] == 1);           // NRVO: allowed, not required
    assert(dflt["either(true)"] == 1);                              // two candidates: implicit move
    assert(dflt["pessimized()"] == 1);                              // std::move(n) turned NRVO off
    assert(dflt["param(N())"] == 1);                                // parameters are never elided
    return 0;
}
