// caption: 用 setjmp/longjmp 实现 TRY/CATCH/FINALLY/THROW：嵌套、在 catch 中再抛出、finally 总会执行；异常栈放在 pthread_key 线程私有数据里，两个线程同时抛异常互不干扰
// point: try/catch宏定义实现
#include <assert.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================= the exception machinery ======================= */
enum { ST_START, ST_TRY, ST_CATCH, ST_FINALLY, ST_DONE };

typedef struct ex_frame {
    jmp_buf env;
    struct ex_frame *prev;
    /* changed after setjmp() and read after longjmp(): must be volatile (C11 7.13.2.1) */
    volatile int stage;
    volatile int code;           /* 0 = no exception in flight */
    volatile int handled;
    const char *volatile msg;
    const char *volatile file;
    volatile int line;
} ex_frame_t;

/* per-thread stack of frames: the key's value is this thread's innermost frame */
static pthread_key_t ex_key;
static pthread_once_t ex_key_once = PTHREAD_ONCE_INIT;
static void ex_make_key(void) { assert(pthread_key_create(&ex_key, NULL) == 0); }
static ex_frame_t *ex_top(void) {
    pthread_once(&ex_key_once, ex_make_key);
    return pthread_getspecific(ex_key);
}
static void ex_set_top(ex_frame_t *f) { pthread_setspecific(ex_key, f); }

_Noreturn static void ex_throw_at(int code, const char *msg, const char *file, int line) {
    ex_frame_t *f = ex_top();
    assert(code != 0);
    if (f == NULL) {
        fprintf(stderr, "uncaught exception %d (%s) at %s:%d\n", code, msg, file, line);
        abort();
    }
    f->code = code; f->msg = msg; f->file = file; f->line = line;
    f->handled = 0;
    longjmp(f->env, 1);                   /* back into the TRY of the innermost frame */
}

/* drives one TRY statement through its stages; returns 0 when the statement is over */
static int ex_step(ex_frame_t *f) {
    switch (f->stage) {
    case ST_START:                        /* push the frame, then run the TRY body */
        f->prev = ex_top();
        f->code = 0; f->handled = 0;
        ex_set_top(f);
        f->stage = ST_TRY;
        return 1;
    case ST_TRY:     f->stage = ST_CATCH;   return 1;
    case ST_CATCH:   f->stage = ST_FINALLY; return 1;
    default:                              /* after FINALLY: pop, propagate if unhandled */
        f->stage = ST_DONE;
        ex_set_top(f->prev);
        if (f->code != 0 && !f->handled)
            ex_throw_at(f->code, f->msg, f->file, f->line);
        return 0;
    }
}

static int ex_match(ex_frame_t *f, int code) {    /* code 0 = catch everything */
    if (f->code != 0 && !f->handled && (code == 0 || f->code == code)) {
        f->handled = 1;
        return 1;
    }
    return 0;
}

#define TRY                                                                    \
    for (ex_frame_t ex_f_ = { .stage = ST_START }; ex_step(&ex_f_); )          \
        if (ex_f_.stage == ST_TRY) {                                           \
            if (setjmp(ex_f_.env) == 0) {
#define CATCH(c)                                                               \
        } } else if (ex_f_.stage == ST_CATCH && ex_match(&ex_f_, (c))) { {
#define CATCH_ALL  CATCH(0)
#define FINALLY                                                                \
        } } else if (ex_f_.stage == ST_FINALLY) { {
#define END_TRY    } }
#define THROW(code, msg)  ex_throw_at((code), (msg), __FILE__, __LINE__)
#define EX_CODE   (ex_f_.code)
#define EX_MSG    (ex_f_.msg)
#define EX_LINE   (ex_f_.line)

enum { E_IO = 1, E_PARSE = 2, E_TIMEOUT = 3 };

/* ======================= per-thread event log (also via pthread_key) ======================= */
typedef struct { char buf[1024]; int tid; } tlog_t;
static pthread_key_t log_key;
static int destructor_calls;
static pthread_mutex_t dmx = PTHREAD_MUTEX_INITIALIZER;

static void log_destructor(void *p) {        /* runs automatically when a thread exits */
    pthread_mutex_lock(&dmx);
    destructor_calls++;
    pthread_mutex_unlock(&dmx);
    free(p);
}

static tlog_t *tlog(void) {
    tlog_t *l = pthread_getspecific(log_key);
    if (l == NULL) {
        l = calloc(1, sizeof *l);
        assert(l);
        pthread_setspecific(log_key, l);
    }
    return l;
}

static void ev(const char *s) {
    tlog_t *l = tlog();
    if (l->buf[0]) strncat(l->buf, " ", sizeof l->buf - strlen(l->buf) - 1);
    strncat(l->buf, s, sizeof l->buf - strlen(l->buf) - 1);
}

/* ======================= scenarios ======================= */
static void parse_config(int fail) {
    ev("parse");
    if (fail) THROW(E_PARSE, "bad token");
    ev("parsed");
}

static void scenario(int id) {
    char tag[32];
    /* 1. plain throw, matched by the second CATCH; FINALLY runs */
    TRY {
        ev("try1");
        THROW(E_IO, "disk");
        ev("NOT-REACHED");
    } CATCH(E_PARSE) {
        ev("WRONG-CATCH");
    } CATCH(E_IO) {
        snprintf(tag, sizeof tag, "catch-io:%s", EX_MSG);
        ev(tag);
    } FINALLY {
        ev("finally1");
    } END_TRY;

    /* 2. nested: inner has no matching CATCH, its FINALLY runs, outer catches */
    TRY {
        TRY {
            parse_config(1);
        } CATCH(E_TIMEOUT) {
            ev("WRONG-CATCH");
        } FINALLY {
            ev("inner-finally");
        } END_TRY;
        ev("NOT-REACHED");
    } CATCH(E_PARSE) {
        ev("outer-catch-parse");
    } END_TRY;

    /* 3. rethrow from a CATCH: the same frame's FINALLY still runs, outer gets the new code */
    volatile int attempts = 0;               /* modified inside TRY, read later: volatile */
    TRY {
        TRY {
            attempts++;
            THROW(E_IO, "read");
        } CATCH(E_IO) {
            ev("catch-io");
            THROW(E_TIMEOUT, "gave up");
        } FINALLY {
            ev("finally3");
        } END_TRY;
    } CATCH_ALL {
        snprintf(tag, sizeof tag, "outer-catch-all:%d", EX_CODE);
        ev(tag);
    } END_TRY;
    assert(attempts == 1);

    /* 4. no exception: CATCH skipped, FINALLY runs */
    TRY { ev("try4"); } CATCH_ALL { ev("WRONG-CATCH"); } FINALLY { ev("finally4"); } END_TRY;

    /* 5. loop of throws in this thread, interleaving with the other thread */
    volatile int caught = 0;                 /* -Wclobbered: locals live across setjmp */
    for (volatile int i = 0; i < 20000; i++) {
        TRY {
            if (i % 2) THROW(100 + id, "mine");
        } CATCH(100 + id) {
            caught++;
        } END_TRY;
    }
    snprintf(tag, sizeof tag, "loop:%d", caught);
    ev(tag);
    assert(ex_top() == NULL);                 /* every frame was popped */
}

static const char *GROUPS[] = {
    "try1 catch-io:disk finally1",              /* 1. plain throw */
    "parse inner-finally outer-catch-parse",    /* 2. nested, propagates outward */
    "catch-io finally3 outer-catch-all:3",      /* 3. rethrow from CATCH */
    "try4 finally4",                            /* 4. no exception */
    "loop:10000",                               /* 5. 20000 iterations, every other throws */
};
static char EXPECTED[512];

static pthread_barrier_t start;

static void *thread_main(void *arg) {
    int id = (int)(long)arg;
    tlog()->tid = id;
    pthread_barrier_wait(&start);             /* both threads throw at the same time */
    scenario(id);
    assert(tlog()->tid == id);
    int ok = strcmp(tlog()->buf, EXPECTED) == 0;
    if (!ok) fprintf(stderr, "thread %d log: %s\n", id, tlog()->buf);
    return (void *)(long)ok;
}

int main(void) {
    /* raw setjmp/longjmp: the second return of setjmp carries the longjmp value */
    jmp_buf env;
    volatile int returns = 0, second = -1;
    switch (setjmp(env)) {        /* setjmp may only be used in a few contexts, e.g. a switch */
    case 0:  returns++; longjmp(env, 0);      /* value 0 is turned into 1 */
    case 1:  returns++; second = 1; break;
    default: second = 99; break;
    }
    assert(returns == 2 && second == 1);
    printf("setjmp returned 0, then 1 after longjmp(env, 0)\n");

    for (int g = 0; g < 5; g++) {
        if (g) strcat(EXPECTED, " ");
        strcat(EXPECTED, GROUPS[g]);
    }
    assert(pthread_key_create(&log_key, log_destructor) == 0);
    pthread_barrier_init(&start, NULL, 2);
    pthread_t t[2];
    for (long i = 0; i < 2; i++) assert(pthread_create(&t[i], NULL, thread_main, (void *)(i + 1)) == 0);
    for (int i = 0; i < 2; i++) {
        void *ok;
        pthread_join(t[i], &ok);
        assert(ok == (void *)1L);
    }
    assert(destructor_calls == 2);            /* one per thread that set the key */
    printf("two threads, identical event sequence in each:\n");
    for (int g = 0; g < 5; g++) printf("  %d. %s\n", g + 1, GROUPS[g]);
    printf("each thread caught 10000 of its own exceptions concurrently; "
           "pthread_key destructor ran %d times\n", destructor_calls);

    /* the main thread has its own, empty exception stack */
    assert(ex_top() == NULL);
    TRY { THROW(E_IO, "main"); } CATCH(E_IO) { printf("main thread caught code %d at line %d\n",
                                                      EX_CODE, EX_LINE); } END_TRY;
    pthread_barrier_destroy(&start);
    pthread_key_delete(log_key);
    printf("all checks passed\n");
    return 0;
}
