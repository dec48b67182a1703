// caption: Treiber 无锁栈的 ABA：先在一个线程里按步骤重放交错（T1 读到 head=A、next=B 后暂停，T2 弹出 A、B 再压回 A），只比较下标的 CAS 成功并把 T2 正在用的 B 挂回栈顶；head 带 32 位版本号后同一 CAS 失败。再让两个线程真并发地弹出/压回，统计“同一节点被两个线程同时持有”的次数
// point: 无锁结构与 ABA 问题
// timeout: 60
#undef NDEBUG
#include <atomic>
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

constexpr uint32_t NIL = UINT32_MAX;
struct Node { std::atomic<uint32_t> next{NIL}; };   // nodes live in a pool and are reused, never freed

// head = (tag << 32) | index. Without tagging the tag stays 0 and only the index is compared.
template <bool Tagged> struct Stack {
    std::atomic<uint64_t> head{NIL};
    Node *pool;
    explicit Stack(Node *p) : pool(p) {}
    static uint32_t idx(uint64_t h) { return static_cast<uint32_t>(h); }
    static uint64_t next_head(uint32_t i, uint64_t old) { return Tagged ? (((old >> 32) + 1) << 32) | i : i; }
    void push(uint32_t i) {
        uint64_t old = head.load(std::memory_order_relaxed);
        do pool[i].next.store(idx(old), std::memory_order_relaxed);
        while (!head.compare_exchange_weak(old, next_head(i, old), std::memory_order_release,
                                           std::memory_order_relaxed));
    }
    struct Snap { uint64_t old; uint32_t next; };
    Snap pop_begin() {                      // read head and head->next, as every pop does first
        uint64_t old = head.load(std::memory_order_acquire);
        return {old, idx(old) == NIL ? NIL : pool[idx(old)].next.load(std::memory_order_relaxed)};
    }
    bool pop_commit(Snap s) {               // the CAS that should fail if head changed in between
        return head.compare_exchange_strong(s.old, next_head(s.next, s.old), std::memory_order_acquire,
                                            std::memory_order_relaxed);
    }
    uint32_t pop(int widen = 0) {            // widen: spin between read and CAS, as a preempted thread would
        for (;;) {
            Snap s = pop_begin();
            for (int k = 0; k < widen; k++) head.load(std::memory_order_relaxed);
            if (idx(s.old) == NIL || pop_commit(s)) return idx(s.old);
        }
    }
};

template <bool Tagged> static bool replay() {
    Node pool[3];
    Stack<Tagged> s(pool);
    const uint32_t A = 0, B = 1, C = 2;
    s.push(C), s.push(B), s.push(A);                  // stack: A -> B -> C
    auto t1 = s.pop_begin();                          // T1 sees head=A, next=B ... and is preempted
    uint32_t a = s.pop(), b = s.pop();                // T2 pops A and B (keeps using B)
    s.push(a);                                        // T2 gives A back: stack A -> C, head index is A again
    bool ok = s.pop_commit(t1);                       // T1 resumes: CAS(head: A -> B)
    uint32_t top = Stack<Tagged>::idx(s.head.load());
    std::printf("%-8s T1's CAS %s, head is now %c%s\n", Tagged ? "tagged:" : "plain:", ok ? "succeeded" : "failed",
                "ABC"[top], top == b ? " = the node T2 still holds (in use AND on the stack)" : "");
    return ok && top == b;
}

// Two threads take two nodes each (every other pop with a widened window), mark them owned, then unmark and
// push them back. Returns how often a node was owned twice.
template <bool Tagged> static long stress(int rounds, bool *intact) {
    const uint32_t n = 4;
    Node pool[n];
    std::atomic<bool> owned[n] = {};
    Stack<Tagged> s(pool);
    for (uint32_t i = 0; i < n; i++) s.push(i);
    std::atomic<long> doubles{0};
    auto work = [&] {
        for (int r = 0; r < rounds; r++) {       // take two nodes, give back the first, then the second
            uint32_t x = s.pop(r % 2 ? 0 : 300), y = s.pop();
            for (uint32_t i : {x, y})
                if (i != NIL && owned[i].exchange(true)) doubles++;
            for (uint32_t i : {x, y})
                if (i != NIL) owned[i].store(false), s.push(i);
        }
    };
    std::thread t(work);
    work();
    t.join();
    uint32_t seen = 0, i = Stack<Tagged>::idx(s.head.load());
    for (int steps = 0; i != NIL && steps < 100; steps++, i = pool[i].next.load()) seen |= 1u << i;
    *intact = (i == NIL && seen == (1u << n) - 1);     // terminates and holds every node exactly once
    return doubles.load();
}

int main() {
    assert(replay<false>() == true);                  // ABA: the stale CAS succeeds
    assert(replay<true>() == false);                  // the tag changed twice: the stale CAS fails
    bool plain_ok, tagged_ok;
    long plain = stress<false>(200000, &plain_ok);
    long tagged = stress<true>(200000, &tagged_ok);
    std::printf("2 threads x 2e5 pop/push, 4 nodes: plain  double-owned %ld, stack intact at end: %s\n", plain,
                plain_ok ? "yes" : "no");
    std::printf("                                   tagged double-owned %ld, stack intact at end: %s\n", tagged,
                tagged_ok ? "yes" : "no");
    assert(tagged == 0 && tagged_ok);
    std::puts("OK");
    return 0;
}
