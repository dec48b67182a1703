// caption: volatile 只让每次 ++ 真的读写内存：c++ -S 显示 volatile int 的 ++ 是 mov/add/mov 三条指令，atomic 的 fetch_add 是一条 lock add；两个线程各加 500 万次，volatile 计数丢失更新，atomic 一次不丢
// point: volatile 不是同步手段
// timeout: 60
// exclusive: yes
#undef NDEBUG
#include <atomic>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

static std::string body(const char *fn) {          // instructions of one function in inc.s
    std::ifstream in("inc.s");
    std::string line, out;
    bool on = false;
    while (std::getline(in, line)) {
        if (line.rfind(fn, 0) == 0) on = true;
        else if (on && line[0] == '\t' && line[1] != '.') out += line.substr(1) + "; ";
        if (on && line.find("ret") != std::string::npos) break;
    }
    return out;
}

volatile int vcount;                                 // deliberately racy: this is what the snippet measures
std::atomic<int> acount;

int main() {
    std::ofstream("inc.cpp") << "#include <atomic>\nvolatile int v; std::atomic<int> a;\n"
                                "void inc_volatile() { v++; }\n"
                                "void inc_atomic() { a.fetch_add(1, std::memory_order_relaxed); }\n";
    assert(std::system("c++ -std=c++17 -O2 -S inc.cpp -o inc.s") == 0);
    std::string v = body("_Z12inc_volatilev:"), a = body("_Z10inc_atomicv:");
    std::printf("volatile ++ : %s\natomic ++   : %s\n", v.c_str(), a.c_str());
    assert(v.find("lock") == std::string::npos && a.find("lock") != std::string::npos);

    const int per_thread = 5000000;
    long lost_total = 0;
    for (int attempt = 1; attempt <= 20; attempt++) {  // a loaded machine may run the two one after the other
        vcount = 0;
        acount = 0;
        std::atomic<int> ready{0};
        auto start = [&ready] { ready++; while (ready.load() % 2) {} };   // both threads begin together
        auto vwork = [&] { start(); for (int i = 0; i < per_thread; i++) vcount++; };  // load, add, store
        auto awork = [&] { start(); for (int i = 0; i < per_thread; i++) acount.fetch_add(1, std::memory_order_relaxed); };
        std::thread t1(vwork);
        vwork();
        t1.join();
        std::thread t2(awork);
        awork();
        t2.join();
        int lost = 2 * per_thread - vcount;
        std::printf("attempt %d: volatile %d (lost %d), atomic %d\n", attempt, (int)vcount, lost, acount.load());
        assert(acount.load() == 2 * per_thread);        // an atomic RMW never loses an update
        assert(lost >= 0);
        lost_total += lost;
        if (lost_total > 0) break;
    }
    assert(lost_total > 0);
    std::puts("OK: volatile prevents the compiler from caching the variable, not other cores from interleaving");
    return 0;
}
