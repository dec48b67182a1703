// caption: x86-64 上的内存序：先看 c++ -S 生成的指令（seq_cst store 是 xchg，release store 与 acquire load 都是普通 mov），再跑两个试金石测试：store buffering 在 relaxed 和 acquire/release 下都能观察到 r1 == r2 == 0，seq_cst 下一次也没有；message passing 在 acquire/release 下从不失败
// point: memory_order 的几种语义
// timeout: 60
#undef NDEBUG
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
using std::memory_order;
using namespace std::chrono;

static std::string asm_of(const char *fn) {  // the instructions of one function in codegen.s
    std::ifstream in("codegen.s");
    std::string line, out;
    bool on = false;
    while (std::getline(in, line)) {
        if (line.rfind(fn, 0) == 0) on = true;
        else if (on && line.find("ret") != std::string::npos) break;
        else if (on && line[0] == '\t' && line[1] != '.') out += line.substr(1) + "; ";
    }
    return out;
}

// Run `mine` here and `theirs` on a second thread, started together, `iters` times (or 3 s); count `bad()`.
template <class Reset, class A, class B, class Bad>
static long litmus(int iters, Reset reset, A mine, B theirs, Bad bad, int *ran) {
    std::atomic<int> go{0}, done{0};
    std::atomic<bool> stop{false};
    std::thread t([&] {
        for (int i = 1;; i++) {
            while (go.load(std::memory_order_acquire) != i)
                if (stop.load(std::memory_order_acquire)) return;
            theirs();
            done.store(i, std::memory_order_release);
        }
    });
    auto deadline = steady_clock::now() + seconds(3);
    long count = 0;
    int i = 1;
    for (; i <= iters && steady_clock::now() < deadline; i++) {
        reset();
        go.store(i, std::memory_order_release);
        mine();
        while (done.load(std::memory_order_acquire) != i) {}
        count += bad();
    }
    stop.store(true, std::memory_order_release);
    t.join();
    *ran = i - 1;
    return count;
}

// Store buffering (SB): x = 1; r1 = y  ||  y = 1; r2 = x.  Is r1 == r2 == 0 possible?
template <memory_order ST, memory_order LD> static long sb(int iters, int *ran) {
    std::atomic<int> x, y;
    int r1 = -1, r2 = -1;
    return litmus(iters, [&] { x.store(0, std::memory_order_relaxed); y.store(0, std::memory_order_relaxed); },
                  [&] { x.store(1, ST); r1 = y.load(LD); }, [&] { y.store(1, ST); r2 = x.load(LD); },
                  [&] { return r1 == 0 && r2 == 0; }, ran);
}

// Message passing (MP): data = 1; flag = 1  ||  f = flag; d = data.  Is f == 1 && d == 0 possible?
template <memory_order ST, memory_order LD> static long mp(int iters, int *ran) {
    std::atomic<int> data, flag;
    int f = -1, d = -1;
    return litmus(iters, [&] { data.store(0, std::memory_order_relaxed); flag.store(0, std::memory_order_relaxed); },
                  [&] { f = flag.load(LD); d = data.load(LD); },
                  [&] { data.store(1, std::memory_order_relaxed); flag.store(1, ST); },
                  [&] { return f == 1 && d == 0; }, ran);
}

int main() {
    std::ofstream("codegen.cpp") << "#include <atomic>\nstd::atomic<int> a;\n"
        "void store_seq_cst(int v) { a.store(v); }\n"
        "void store_release(int v) { a.store(v, std::memory_order_release); }\n"
        "int load_acquire() { return a.load(std::memory_order_acquire); }\n";
    assert(std::system("c++ -std=c++17 -O2 -S codegen.cpp -o codegen.s") == 0);
    std::string sc = asm_of("_Z13store_seq_csti:"), rel = asm_of("_Z13store_releasei:"),
                acq = asm_of("_Z12load_acquirev:");
    std::printf("seq_cst store : %s\nrelease store : %s\nacquire load  : %s\n", sc.c_str(), rel.c_str(), acq.c_str());
    assert(sc.find("xchg") != std::string::npos || sc.find("mfence") != std::string::npos);
    assert(rel.find("mov") != std::string::npos && rel.find("xchg") == std::string::npos &&
           rel.find("fence") == std::string::npos);

    const int N = 200000;
    int n1, n2, n3, n4, n5;
    long relaxed = sb<std::memory_order_relaxed, std::memory_order_relaxed>(N, &n1);
    long acqrel = sb<std::memory_order_release, std::memory_order_acquire>(N, &n2);
    long seqcst = sb<std::memory_order_seq_cst, std::memory_order_seq_cst>(N, &n3);
    std::printf("SB r1==r2==0: relaxed %ld/%d, release/acquire %ld/%d, seq_cst %ld/%d\n",
                relaxed, n1, acqrel, n2, seqcst, n3);
    assert(seqcst == 0);             // forbidden by the standard: one total order S of seq_cst operations
    long mp_relaxed = mp<std::memory_order_relaxed, std::memory_order_relaxed>(N, &n4);
    long mp_acqrel = mp<std::memory_order_release, std::memory_order_acquire>(N, &n5);
    std::printf("MP flag==1 && data==0: relaxed %ld/%d (allowed, x86 never shows it), release/acquire %ld/%d\n",
                mp_relaxed, n4, mp_acqrel, n5);
    assert(mp_acqrel == 0);          // forbidden: the acquire load that sees 1 synchronizes-with the release
    std::puts("OK");
    return 0;
}
