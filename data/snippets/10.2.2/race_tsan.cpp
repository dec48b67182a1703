// caption: 同一段“写数据、置标志、读数据”代码编译两份 ThreadSanitizer 版本：标志是 volatile bool 时 TSan 报告 data race（退出码 66），换成 release/acquire 的 std::atomic<bool> 后建立 happens-before，TSan 不再报告
// point: 数据竞争与 happens-before
// timeout: 90
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/wait.h>

#ifdef CHILD /* the program that TSan watches; the parent below builds it twice */
#include <atomic>
#include <thread>
int payload;                               // plain int: the data being handed over
#if CHILD == 1
volatile bool ready = false;               // volatile: no happens-before
#define PUBLISH() (ready = true)
#define SEEN() (ready)
#else
std::atomic<bool> ready{false};            // release store / acquire load
#define PUBLISH() ready.store(true, std::memory_order_release)
#define SEEN() ready.load(std::memory_order_acquire)
#endif
int main() {
    std::thread producer([] { payload = 42; PUBLISH(); });
    long spins = 0;
    while (!SEEN() && spins < 100000000L) { ++spins; std::this_thread::yield(); }
    int got = payload;
    producer.join();
    std::printf("child %d: payload=%d after %ld spins\n", CHILD, got, spins);
    return got == 42 ? 0 : 1;
}
#else
static int build_and_run(int mode, std::string &report) {
    std::string exe = "./tsan" + std::to_string(mode);
    std::string cc = "c++ -std=c++17 -O1 -g -pthread -fsanitize=thread -DCHILD=" + std::to_string(mode) +
                     " " __FILE__ " -o " + exe;
    assert(std::system(cc.c_str()) == 0);
    FILE *p = popen((exe + " 2>&1").c_str(), "r");
    assert(p);
    char line[512];
    while (std::fgets(line, sizeof line, p)) report += line;
    int st = pclose(p);
    assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void show(const std::string &report, const char *key) {
    size_t at = report.find(key);
    if (at == std::string::npos) return;
    size_t end = report.find('\n', at);
    std::printf("  | %s\n", report.substr(at, end - at).c_str());
}

int main() {
    std::string racy, synced;
    int rc1 = build_and_run(1, racy);
    std::printf("volatile bool flag: exit code %d\n", rc1);
    for (const char *k : {"WARNING: ThreadSanitizer", "Previous write of size", "Read of size", "child 1", "Location is global",
                          "SUMMARY: ThreadSanitizer"})
        show(racy, k);
    assert(rc1 == 66);                                        // TSan's default exitcode when it reported
    assert(racy.find("WARNING: ThreadSanitizer: data race") != std::string::npos);

    int rc2 = build_and_run(2, synced);
    std::printf("atomic<bool> release/acquire: exit code %d, TSan reports: %s\n", rc2,
                synced.find("ThreadSanitizer") == std::string::npos ? "none" : "SOME");
    show(synced, "child 2");
    assert(rc2 == 0 && synced.find("ThreadSanitizer") == std::string::npos);
    std::puts("OK: volatile gives no happens-before; release/acquire does");
    return 0;
}
#endif
