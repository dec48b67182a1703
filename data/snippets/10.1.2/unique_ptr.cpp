// caption: unique_ptr：和裸指针一样大、不可拷贝只可移动；所有权经工厂返回、经 std::move 交给接收者，移走后源为空，对象恰好析构一次；release 交还所有权；按值传 unique_ptr 在 Itanium ABI 下传的是它的地址（c++ -S 里多一次读内存）
// point: unique_ptr 与所有权转移
// timeout: 30
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

static int made, freed;
struct Session { int id; explicit Session(int i) : id(i) { ++made; } ~Session() { ++freed; } };

static std::unique_ptr<Session> open_session(int id) { return std::make_unique<Session>(id); }  // factory
struct Server {
    std::vector<std::unique_ptr<Session>> sessions;
    void adopt(std::unique_ptr<Session> s) { sessions.push_back(std::move(s)); }             // sink
};

int main() {
    static_assert(sizeof(std::unique_ptr<Session>) == sizeof(Session *), "no overhead in size");
    static_assert(!std::is_copy_constructible_v<std::unique_ptr<Session>>, "copy is deleted");
    static_assert(std::is_nothrow_move_constructible_v<std::unique_ptr<Session>>, "move is noexcept");
    std::printf("sizeof unique_ptr<Session> = %zu = sizeof(Session*)\n", sizeof(std::unique_ptr<Session>));
    {
        Server srv;
        auto s = open_session(1);
        Session *raw = s.get();
        srv.adopt(std::move(s));                   // ownership moves into the server
        assert(s == nullptr && srv.sessions[0].get() == raw);
        srv.adopt(open_session(2));                // a prvalue moves without std::move
        std::unique_ptr<Session> back = std::move(srv.sessions[1]);
        assert(!srv.sessions[1] && back->id == 2);
        Session *leaked = back.release();          // caller now owns it by hand
        assert(!back);
        delete leaked;
        std::printf("inside scope: made %d, freed %d\n", made, freed);
        assert(made == 2 && freed == 1);
    }
    std::printf("after scope:  made %d, freed %d\n", made, freed);
    assert(freed == made);                          // each object destroyed exactly once

    std::FILE *f = std::fopen("pass.cpp", "w");
    std::fputs("#include <memory>\nlong by_raw(long *p) { return *p; }\n"
               "long by_uptr(std::unique_ptr<long> p) { return *p; }\n", f);
    std::fclose(f);
    assert(std::system("c++ -std=c++17 -O2 -S -o pass.s pass.cpp") == 0);
    std::fflush(stdout);
    std::printf("-- by_raw(long*):\n"); std::fflush(stdout);
    assert(std::system("sed -n '/^_Z6by_rawPl:/,/cfi_endproc/p' pass.s | grep -v '^\\s*\\.' | tail -n +2") == 0);
    std::printf("-- by_uptr(unique_ptr<long>): %%rdi is the address of the caller's unique_ptr\n");
    std::fflush(stdout);
    assert(std::system("sed -n '/^_Z7by_uptrSt10unique_ptrIlSt14default_deleteIlEE:/,/cfi_endproc/p' pass.s"
                       " | grep -v '^\\s*\\.' | tail -n +2") == 0);
    assert(std::system("sed -n '/^_Z7by_uptr/,/cfi_endproc/p' pass.s | grep -c movq | grep -qx 2") == 0);
    return 0;
}
