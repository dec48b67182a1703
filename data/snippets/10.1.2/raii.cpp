// caption: RAII 与异常安全：异常穿过 5 层调用时 5 个局部对象按逆序析构；构造函数中途抛出时已构造的成员被析构、对象本身的析构函数不运行；lock_guard 在异常后已解锁；copy-and-swap 给出强保证；析构函数在栈展开中再抛异常直接 std::terminate（子进程里验证）
// point: RAII 与异常安全
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

static int alive, conn_dtor;
static std::string order;
struct Res {
    int id;
    explicit Res(int i) : id(i) { ++alive; }
    ~Res() { --alive; order += std::to_string(id); }
};
struct Conn {
    Res a{1}, b{2}, c{3};
    explicit Conn(bool fail) { if (fail) throw std::runtime_error("handshake failed"); }
    ~Conn() { ++conn_dtor; }
};
static void work(int depth) { Res r(depth); if (depth == 0) throw std::runtime_error("deep"); work(depth - 1); }

struct Config {                                    // strong guarantee: all or nothing
    std::vector<std::string> items;
    void replace_all(const std::vector<std::string> &in, size_t fail_at) {
        Config tmp = *this;                        // work on a copy
        tmp.items.clear();
        for (size_t i = 0; i < in.size(); i++) {
            if (i == fail_at) throw std::runtime_error("bad item");
            tmp.items.push_back(in[i]);
        }
        std::swap(items, tmp.items);               // noexcept commit
    }
};
struct Throws { ~Throws() noexcept(false) { throw 1; } };

int main() {
    try { work(4); } catch (const std::exception &) {}
    std::printf("unwound 5 frames: alive=%d, destroyed in order %s\n", alive, order.c_str());
    assert(alive == 0 && order == "01234");        // innermost frame first

    order.clear();
    try { Conn c(true); } catch (const std::exception &e) { std::printf("Conn threw: %s\n", e.what()); }
    std::printf("members destroyed %s, ~Conn ran %d times\n", order.c_str(), conn_dtor);
    assert(order == "321" && conn_dtor == 0 && alive == 0);

    std::mutex m;
    try { std::lock_guard<std::mutex> g(m); throw std::runtime_error("x"); } catch (...) {}
    assert(m.try_lock());                           // the guard unlocked during unwinding
    m.unlock();

    Config cfg{{"a", "b"}};
    try { cfg.replace_all({"x", "y", "z"}, 2); } catch (const std::exception &) {}
    assert((cfg.items == std::vector<std::string>{"a", "b"}));
    cfg.replace_all({"x", "y", "z"}, 99);
    assert(cfg.items.size() == 3);
    std::printf("copy-and-swap: failed update left {a,b}; successful one gave %zu items\n", cfg.items.size());

    std::fflush(stdout);
    pid_t pid = fork();
    assert(pid >= 0);
    if (pid == 0) {                                 // child: a destructor throws while unwinding
        freopen("/dev/null", "w", stderr);
        try { Throws t; throw std::runtime_error("first"); } catch (...) {}
        _exit(0);                                   // never reached
    }
    int st = 0;
    waitpid(pid, &st, 0);
    std::printf("child: %s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT ? "std::terminate -> SIGABRT" : "??");
    assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    return 0;
}
