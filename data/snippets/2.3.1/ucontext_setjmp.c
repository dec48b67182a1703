// caption: ucontext 实现两个独立栈协程的交替切换，以及 setjmp/longjmp 的正确用法（只跳回仍然存活的栈帧）
// point: 协程切换的三种实现方式,setjmp/longjmp,ucontext,汇编实现
// timeout: 10
/*
 * Part 1: two coroutines, each on its own malloc'ed stack, switched with
 *         getcontext/makecontext/swapcontext. A tiny round-robin scheduler
 *         resumes them; they yield back with swapcontext.
 * Part 2: setjmp/longjmp used correctly for a non-local exit: we only ever
 *         jump UP to a frame that is still active (the one that called
 *         setjmp has not returned).
 * Part 3: setjmp/longjmp as a coroutine switch. Each coroutine gets its own
 *         stack (bootstrapped once with makecontext), after which every
 *         switch is _setjmp(save mine) + _longjmp(resume the other). Both
 *         frames stay alive on their own stacks, so we never jump into a
 *         frame that has returned. _setjmp does not save the signal mask, so
 *         a switch needs no system call (swapcontext does rt_sigprocmask).
 */
#undef _FORTIFY_SOURCE          /* __longjmp_chk rejects switching stacks */
#include <assert.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define STACK_SIZE (64 * 1024)
#define STEPS 3

/* ---------------- Part 1: ucontext ---------------- */

static ucontext_t sched_ctx, co_ctx[2];
static char *co_stack[2];
static int co_done[2];
static char trace[64];
static int trace_len;

static void co_body(int id)          /* makecontext passes int arguments */
{
    int local = id * 100;            /* lives on this coroutine's stack */
    for (int i = 0; i < STEPS; i++) {
        trace[trace_len++] = (char)('A' + id);
        local++;
        /* &local lies inside this coroutine's own heap-allocated stack */
        long off = (char *)&local - co_stack[id];
        assert(off > 0 && off < STACK_SIZE);
        printf("  co%c step %d: local=%d, &local = stack%c+%ld\n", 'A' + id, i,
               local, 'A' + id, off);
        swapcontext(&co_ctx[id], &sched_ctx);        /* yield */
    }
    assert(local == id * 100 + STEPS);  /* stack survived every switch */
    co_done[id] = 1;
    /* returning follows uc_link back to the scheduler */
}

static void part1_ucontext(void)
{
    char **stacks = co_stack;
    puts("part 1: ucontext round-robin");
    for (int id = 0; id < 2; id++) {
        stacks[id] = malloc(STACK_SIZE);
        assert(stacks[id] != NULL);
        getcontext(&co_ctx[id]);
        co_ctx[id].uc_stack.ss_sp = stacks[id];
        co_ctx[id].uc_stack.ss_size = STACK_SIZE;
        co_ctx[id].uc_link = &sched_ctx;   /* where to go when co_body returns */
        makecontext(&co_ctx[id], (void (*)(void))co_body, 1, id);
    }
    for (int round = 0; round < 10 && !(co_done[0] && co_done[1]); round++)
        for (int id = 0; id < 2; id++)
            if (!co_done[id])
                swapcontext(&sched_ctx, &co_ctx[id]);   /* resume */
    trace[trace_len] = '\0';
    printf("  order: %s\n", trace);
    assert(co_done[0] && co_done[1]);
    assert(strcmp(trace, "ABABAB") == 0);
    for (int id = 0; id < 2; id++)
        free(stacks[id]);
}

/* ---------------- Part 2: setjmp/longjmp as a non-local exit ------------- */

static jmp_buf on_error;

static int parse_digit(char c, int depth)
{
    if (c < '0' || c > '9')
        longjmp(on_error, depth + 1);     /* unwind to part2's frame */
    return c - '0';
}

static int parse_number(const char *s, int depth)
{
    if (*s == '\0')
        return 0;
    int rest = parse_number(s + 1, depth + 1);   /* recurse deep first */
    int n = (int)strlen(s + 1), mul = 1;
    while (n-- > 0)
        mul *= 10;
    return parse_digit(*s, depth) * mul + rest;
}

static void part2_nonlocal_exit(void)
{
    const char *inputs[2] = {"4096", "40x6"};
    puts("part 2: setjmp/longjmp for error exit");
    for (int i = 0; i < 2; i++) {
        /* volatile: a non-volatile local modified after setjmp has an
           indeterminate value after longjmp returns here */
        volatile int calls = 0;
        int code = setjmp(on_error);
        if (code == 0) {
            calls++;                          /* modified after setjmp */
            int v = parse_number(inputs[i], 0);
            printf("  \"%s\" -> %d\n", inputs[i], v);
            assert(i == 0 && v == 4096);
        } else {
            printf("  \"%s\" -> error, longjmp returned %d (depth %d)\n",
                   inputs[i], code, code - 1);
            assert(i == 1 && code == 3 && calls == 1);
        }
    }
}

/* ---------------- Part 3: setjmp/longjmp as a coroutine switch ----------- */

static jmp_buf main_jb, co_jb[2];
static ucontext_t boot_ret, boot_ctx;
static int ping_pong[2 * STEPS + 2], pp_len;

static void co_switch(jmp_buf from, jmp_buf to)
{
    if (_setjmp(from) == 0)
        _longjmp(to, 1);
}

static void co_entry(int id)
{
    /* first run: save our context and go back to the bootstrap code */
    if (_setjmp(co_jb[id]) == 0)
        swapcontext(&boot_ctx, &boot_ret);
    /* from here on we are only ever entered by _longjmp */
    int counter = id * 10;
    for (int i = 0; i < STEPS; i++) {
        assert(pp_len < 2 * STEPS + 2);
        ping_pong[pp_len++] = counter++;
        co_switch(co_jb[id], id == 0 ? co_jb[1] : main_jb);
    }
    assert(counter == id * 10 + STEPS);
    ping_pong[pp_len++] = -1 - id;                /* "finished" marker */
    _longjmp(main_jb, 1);                         /* never return */
}

static void part3_setjmp_switch(void)
{
    char *stacks[2];
    puts("part 3: setjmp/longjmp switching between two live stacks");
    for (int id = 0; id < 2; id++) {
        stacks[id] = malloc(STACK_SIZE);
        assert(stacks[id] != NULL);
        getcontext(&boot_ctx);
        boot_ctx.uc_stack.ss_sp = stacks[id];
        boot_ctx.uc_stack.ss_size = STACK_SIZE;
        boot_ctx.uc_link = NULL;
        makecontext(&boot_ctx, (void (*)(void))co_entry, 1, id);
        swapcontext(&boot_ret, &boot_ctx);   /* runs until its first _setjmp */
    }
    /* main -> co0 -> co1 -> main, STEPS times */
    for (int round = 0; round < STEPS; round++)
        co_switch(main_jb, co_jb[0]);
    co_switch(main_jb, co_jb[0]);   /* co0 finishes, jumps to main */
    co_switch(main_jb, co_jb[1]);   /* co1 finishes, jumps to main */
    printf("  values:");
    for (int i = 0; i < pp_len; i++)
        printf(" %d", ping_pong[i]);
    printf("\n");
    static const int want[] = {0, 10, 1, 11, 2, 12, -1, -2};
    assert(pp_len == 8 && memcmp(ping_pong, want, sizeof want) == 0);
    for (int id = 0; id < 2; id++)
        free(stacks[id]);
}

int main(void)
{
    part1_ucontext();
    part2_nonlocal_exit();
    part3_setjmp_switch();
    puts("all checks passed");
    return 0;
}
