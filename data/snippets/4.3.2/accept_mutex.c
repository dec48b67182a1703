// caption: C 版惊群与 accept_mutex：4 个 fork 出的 worker 各有一个 epoll；共享监听套接字时一个连接唤醒所有 worker（accept 得到 EAGAIN 的次数即白醒）；共享内存里的 CAS 锁（ngx_trylock_accept_mutex）让只有持锁者把监听 fd 放进 epoll；SO_REUSEPORT 每 worker 一个队列
// point: 如何解决"惊群"问题
// timeout: 40
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NWORKERS 4
#define NCONN 200

enum mode { SHARED, ACCEPT_MUTEX, REUSEPORT };
static const char *names[] = {"shared socket, no lock", "accept_mutex", "SO_REUSEPORT"};

struct shared {
    long lock;                          /* accept mutex: 0 or the holder's pid */
    int stop;
    long accepted[NWORKERS], wasted[NWORKERS];   /* wasted: woken, but accept() said EAGAIN */
    long wakeups[NWORKERS];             /* voluntary context switches: each one is a sleep + wake-up */
};
static struct shared *sh;
static int port;

static int listener(int reuseport) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    if (reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 512) == 0);
    getsockname(fd, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin_port);
    return fd;
}

static int cmp_set(long *p, long old, long set) {
    return __atomic_compare_exchange_n(p, &old, set, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void accept_all(int lfd, int slot) {
    for (int first = 1;; first = 0) {
        int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (c < 0) {                    /* EAGAIN on the very first try: a useless wake-up */
            if (first) __atomic_fetch_add(&sh->wasted[slot], 1, __ATOMIC_RELAXED);
            return;
        }
        __atomic_fetch_add(&sh->accepted[slot], 1, __ATOMIC_RELAXED);
        close(c);
    }
}

static void worker(int slot, int lfd, enum mode m) {
    if (m == REUSEPORT) lfd = listener(1);          /* own socket, own accept queue */
    int ep = epoll_create1(0), registered = 0;
    long pid = getpid();
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, out[8];
    if (m != ACCEPT_MUTEX) assert(epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == 0), registered = 1;
    while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
        int held = 0;
        if (m == ACCEPT_MUTEX) {                    /* ngx_trylock_accept_mutex() */
            held = __atomic_load_n(&sh->lock, __ATOMIC_RELAXED) == 0 && cmp_set(&sh->lock, 0, pid);
            if (held && !registered) epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev), registered = 1;
            if (!held && registered) epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL), registered = 0;
        }
        int n = epoll_wait(ep, out, 8, 50);   /* nginx: non-holders wait accept_mutex_delay */
        for (int i = 0; i < n; i++) accept_all(lfd, slot);
        if (held) cmp_set(&sh->lock, pid, 0);       /* release after the accepts, before other work */
    }
    if (m == REUSEPORT) close(lfd);
    close(ep);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    sh->wakeups[slot] = ru.ru_nvcsw;
}

static void run(enum mode m) {
    memset(sh, 0, sizeof *sh);
    port = 0;
    int lfd = listener(m == REUSEPORT);             /* REUSEPORT: this one only fixes the port */
    if (m == REUSEPORT) { close(lfd); lfd = -1; }   /* closed: every connection goes to a worker */
    pid_t pids[NWORKERS];
    for (int s = 0; s < NWORKERS; s++)
        if ((pids[s] = fork()) == 0) { worker(s, lfd, m); _exit(0); }
    usleep(100000);                                 /* let the workers reach epoll_wait */
    for (int i = 0; i < NCONN; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int rc, tries = 0;
        while ((rc = connect(c, (struct sockaddr *)&a, sizeof a)) != 0 && errno == ECONNREFUSED && tries++ < 100)
            usleep(10000);                          /* REUSEPORT: a worker may not have bound yet */
        assert(rc == 0);
        close(c);
        usleep(1000);                               /* one connection at a time: each finds sleeping workers */
    }
    long acc = 0, wasted = 0, wakeups = 0;
    for (int tries = 0; tries < 300 && acc < NCONN; tries++) {
        usleep(10000);
        acc = 0;
        for (int s = 0; s < NWORKERS; s++) acc += __atomic_load_n(&sh->accepted[s], __ATOMIC_RELAXED);
    }
    __atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
    for (int s = 0; s < NWORKERS; s++) {
        int st;
        assert(waitpid(pids[s], &st, 0) == pids[s] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
        wasted += sh->wasted[s], wakeups += sh->wakeups[s];
    }
    if (lfd >= 0) close(lfd);
    printf("%-22s %4ld %4ld %4ld %4ld %9ld %14.1f\n", names[m], sh->accepted[0], sh->accepted[1],
           sh->accepted[2], sh->accepted[3], wasted, (double)wakeups / NCONN);
    assert(acc == NCONN);                           /* every connection was served exactly once */
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);               /* nothing buffered is duplicated by fork */
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert(sh != MAP_FAILED);
    long wasted[3], wakeups[3];
    printf("%d workers, %d connections one at a time\n", NWORKERS, NCONN);
    printf("%-22s %19s %9s %14s\n", "mode", "accepted per worker", "EAGAIN", "wake-ups/conn");
    for (int m = SHARED; m <= REUSEPORT; m++) {
        run(m);
        wasted[m] = wakeups[m] = 0;
        for (int s = 0; s < NWORKERS; s++) wasted[m] += sh->wasted[s], wakeups[m] += sh->wakeups[s];
    }
    /* the herd: a connection on a shared socket wakes every worker's epoll, most go back to sleep */
    assert(wakeups[SHARED] > 2 * wakeups[ACCEPT_MUTEX] && wakeups[SHARED] > 2 * wakeups[REUSEPORT]);
    assert(wakeups[SHARED] > 2 * NCONN);
    assert(wasted[ACCEPT_MUTEX] == 0 && wasted[REUSEPORT] == 0);   /* only one epoll holds each queue */
    munmap(sh, sizeof *sh);
    return 0;
}
