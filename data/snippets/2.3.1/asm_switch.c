// caption: 手写 x86-64 汇编协程切换：保存/恢复 rsp、rbp、rbx、r12–r15 和 rip，首次切换把 rip 设为入口函数
// point: 协程初始启动eip寄存器设置
// timeout: 10
/*
 * A coroutine switch in ~20 instructions (System V AMD64 ABI, GNU as syntax).
 *
 * coro_switch(from, to) is called like a normal function, so the compiler
 * already assumes every caller-saved register (rax, rcx, rdx, rsi, rdi,
 * r8-r11, xmm*) is clobbered. We only have to save what the ABI says a
 * callee must preserve: rsp, rbp, rbx, r12-r15, plus the place to resume:
 * the return address sitting at (%rsp) when we are called.
 *
 * First start: a fresh coroutine's context has rip = the entry trampoline
 * and rsp = top of its own stack, so the very first switch "resumes" at the
 * beginning of the entry function, with its argument moved into rdi.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__ELF__)

struct ctx {            /* offsets are used by the assembly below */
    void *rsp;          /*  0 */
    void *rbp;          /*  8 */
    void *rbx;          /* 16 */
    void *r12;          /* 24 */
    void *r13;          /* 32 */
    void *r14;          /* 40 */
    void *r15;          /* 48 */
    void *rip;          /* 56 */
    void *arg;          /* 64: passed in rdi on the first switch only */
};

void coro_switch(struct ctx *from, struct ctx *to);

__asm__(
    ".text\n"
    ".globl coro_switch\n"
    ".type coro_switch, @function\n"
    "coro_switch:\n"
    "    movq (%rsp), %rax\n"        /* our return address = resume point */
    "    leaq 8(%rsp), %rcx\n"       /* rsp as it will be after 'ret'     */
    "    movq %rcx, 0(%rdi)\n"
    "    movq %rbp, 8(%rdi)\n"
    "    movq %rbx, 16(%rdi)\n"
    "    movq %r12, 24(%rdi)\n"
    "    movq %r13, 32(%rdi)\n"
    "    movq %r14, 40(%rdi)\n"
    "    movq %r15, 48(%rdi)\n"
    "    movq %rax, 56(%rdi)\n"
    "    movq 0(%rsi), %rsp\n"       /* now on the other coroutine's stack */
    "    movq 8(%rsi), %rbp\n"
    "    movq 16(%rsi), %rbx\n"
    "    movq 24(%rsi), %r12\n"
    "    movq 32(%rsi), %r13\n"
    "    movq 40(%rsi), %r14\n"
    "    movq 48(%rsi), %r15\n"
    "    movq 64(%rsi), %rdi\n"      /* first argument for a fresh entry  */
    "    jmpq *56(%rsi)\n"           /* rip: resume point or entry        */
    ".size coro_switch, .-coro_switch\n");

#define STACK_SIZE (64 * 1024)

struct coro {
    struct ctx ctx;
    char *stack;
    int id, done;
    long sum;
};

static struct ctx main_ctx;
static struct coro *current;
static char order[32];
static int order_len;

static void yield(void)
{
    coro_switch(&current->ctx, &main_ctx);
}

static void coro_exit_guard(void)
{
    /* an entry function must never return: there is no caller frame */
    fprintf(stderr, "coroutine returned from its entry function\n");
    abort();
}

static void entry(struct coro *co)      /* runs on co->stack */
{
    long sum = 0;                       /* kept in rbx/r12-r15 or on stack */
    for (long i = 1; i <= 4; i++) {
        sum += i * (co->id + 1);
        order[order_len++] = (char)('0' + co->id);
        yield();
    }
    co->sum = sum;
    co->done = 1;
    yield();                            /* never resumed again */
    coro_exit_guard();
}

static void coro_init(struct coro *co, int id)
{
    memset(co, 0, sizeof *co);
    co->id = id;
    co->stack = malloc(STACK_SIZE);
    assert(co->stack != NULL);
    /* Top of stack, 16-byte aligned. The ABI wants rsp % 16 == 8 at a
       function's first instruction (a 'call' has just pushed 8 bytes), so
       we reserve one slot and put a guard "return address" in it. */
    uintptr_t top = ((uintptr_t)(co->stack + STACK_SIZE)) & ~(uintptr_t)15;
    void **slot = (void **)(top - 8);
    *slot = (void *)coro_exit_guard;
    co->ctx.rsp = slot;
    co->ctx.rip = (void *)entry;        /* first switch jumps here */
    co->ctx.arg = co;                   /* ... with rdi = co */
}

int main(void)
{
    struct coro co[3];
    for (int i = 0; i < 3; i++)
        coro_init(&co[i], i);
    printf("fresh ctx: rip=entry, rsp=top-8, rsp%%16=%lu\n",
           (unsigned long)((uintptr_t)co[0].ctx.rsp % 16));
    assert((uintptr_t)co[0].ctx.rsp % 16 == 8);

    int live = 3;
    for (int round = 0; round < 10 && live > 0; round++) {
        live = 0;
        for (int i = 0; i < 3; i++) {
            if (co[i].done)
                continue;
            current = &co[i];
            coro_switch(&main_ctx, &co[i].ctx);   /* resume (or start) */
            /* back on the main stack: the saved rsp must be inside co[i]'s stack */
            char *saved = co[i].ctx.rsp;
            assert(saved > co[i].stack && saved < co[i].stack + STACK_SIZE);
            live += !co[i].done;
        }
        printf("round %d: order so far %.*s\n", round, order_len, order);
    }
    for (int i = 0; i < 3; i++) {
        printf("coroutine %d: sum = %ld\n", i, co[i].sum);
        assert(co[i].done && co[i].sum == 10L * (i + 1));
        free(co[i].stack);
    }
    assert(order_len == 12 && memcmp(order, "012012012012", 12) == 0);
    puts("all checks passed");
    return 0;
}

#else
int main(void)
{
    puts("this demo needs x86-64 (System V ABI); skipped");
    return 0;
}
#endif
