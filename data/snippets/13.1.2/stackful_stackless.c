// caption: 同一个任务——按中序逐个吐出二叉搜索树的 1000 个键——写成两种协程：有栈协程（ucontext，递归函数里直接 yield）与无栈协程（switch 状态机，局部变量和显式栈都放进结构体）；比较每个协程占的内存、栈实际用到的深度和每次恢复的耗时
// point: 有栈协程与无栈协程
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

typedef struct node { int key; struct node *l, *r; } node;
#define NKEYS 1000
#define STACK (64 * 1024)
static node pool[NKEYS];
static node *insert(node *t, node *n) {
    if (!t) return n;
    if (n->key < t->key) t->l = insert(t->l, n); else t->r = insert(t->r, n);
    return t;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

/* stackful: the recursion lives on the coroutine's own stack, yield works at any depth */
static ucontext_t caller, co;
static int out_key;
static node *root;
static void yield_key(int k) { out_key = k; swapcontext(&co, &caller); }
static void walk(node *t) { if (t) { walk(t->l); yield_key(t->key); walk(t->r); } }
static void co_main(void) { for (;;) { walk(root); yield_key(-1); } }

/* stackless: one function re-entered through a switch; everything that must survive a yield is in the frame */
typedef struct { int state, sp; node *cur, *stack[64]; } frame;
static int next_key(frame *f) {
    switch (f->state) {
    case 0:
        f->cur = root, f->sp = 0;
        for (;;) {
            while (f->cur) { f->stack[f->sp++] = f->cur; f->cur = f->cur->l; }
            if (!f->sp) break;
            f->cur = f->stack[--f->sp];
            f->state = 1;
            return f->cur->key; /* yield */
    case 1:
            f->cur = f->cur->r;
        }
        f->state = 0;
        return -1;
    }
    return -1;
}

int main(void) {
    unsigned x = 12345;
    for (int i = 0; i < NKEYS; i++) { x = x * 1103515245 + 12345; pool[i].key = (x >> 8) % 1000000; root = insert(root, &pool[i]); }
    unsigned char *stack = malloc(STACK);
    memset(stack, 0xAA, STACK); /* paint, to measure how deep the stack really went */
    getcontext(&co);
    co.uc_stack.ss_sp = stack;
    co.uc_stack.ss_size = STACK;
    makecontext(&co, co_main, 0);
    frame f = {0};
    int a[NKEYS], b[NKEYS], n = 0, prev = -1;
    for (;;) { swapcontext(&caller, &co); if (out_key < 0) break; a[n++] = out_key; }
    assert(n == NKEYS);
    n = 0;
    for (int k; (k = next_key(&f)) >= 0;) b[n++] = k;
    assert(n == NKEYS && memcmp(a, b, sizeof a) == 0);
    for (int i = 0; i < NKEYS; i++) { assert(a[i] >= prev); prev = a[i]; }
    int used = STACK;
    while (used > 0 && stack[STACK - used] == 0xAA) used--;
    printf("both yield the same %d keys in order\n", NKEYS);
    printf("memory per coroutine: stackful %d KiB stack reserved, %d bytes touched | stackless frame %zu bytes\n",
           STACK / 1024, used, sizeof(frame));

    double t = now();
    for (int r = 0; r < 200; r++)
        for (;;) { swapcontext(&caller, &co); if (out_key < 0) break; }
    double full = (now() - t) / (200.0 * (NKEYS + 1)) * 1e9;
    t = now();
    long sum = 0;
    for (int r = 0; r < 200; r++)
        for (int k; (k = next_key(&f)) >= 0;) sum += k;
    double less = (now() - t) / (200.0 * (NKEYS + 1)) * 1e9;
    printf("per resume+yield: stackful (swapcontext) %.0f ns | stackless %.1f ns (checksum %ld)\n", full, less, sum);
    assert(less < full && used < STACK / 2 && sizeof(frame) < 1024);
    free(stack);
    return 0;
}
