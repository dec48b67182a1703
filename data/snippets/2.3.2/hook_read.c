// caption: 用 dlsym(RTLD_NEXT) 钩住 read/write：应用照常写“阻塞式”read，钩子在非阻塞 fd 上遇到 EAGAIN 时先挂起等待再重试
// point: hook钩子的实现
// timeout: 10
/*
 * A coroutine library makes old blocking code asynchronous by defining its
 * own read/write/connect/... . Because the executable (or an LD_PRELOAD
 * library) defines the symbol first, the dynamic linker binds every call
 * made through the PLT to our version; we reach the real libc function with
 * dlsym(RTLD_NEXT, "read").
 *
 * Here the "scheduler" is reduced to poll(): where a real library would add
 * the fd to epoll, put the coroutine in the IO wait set and yield, we just
 * poll. The point is the control flow: call the real read; on EAGAIN park
 * until readable; retry. The application code never sees EAGAIN.
 *
 * glibc >= 2.34 has dlsym in libc itself; with an older glibc add -ldl.
 */
#define _GNU_SOURCE
#undef NDEBUG /* some asserts below wrap the call itself: keep them */
#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);

static read_fn real_read;
static write_fn real_write;
static int hooked_reads, real_reads, parks, hooked_writes;

static void init_hooks(void)
{
    if (!real_read) {
        real_read = (read_fn)dlsym(RTLD_NEXT, "read");
        real_write = (write_fn)dlsym(RTLD_NEXT, "write");
        assert(real_read && real_write);
    }
}

/* stand-in for: register fd in epoll, add to wait set, yield to scheduler */
static void park_until(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    parks++;
    int n = poll(&p, 1, 2000);
    assert(n == 1);
}

ssize_t read(int fd, void *buf, size_t len)
{
    init_hooks();
    hooked_reads++;
    for (int tries = 0; tries < 100; tries++) {
        real_reads++;
        ssize_t n = real_read(fd, buf, len);
        if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return n;
        park_until(fd, POLLIN);          /* coroutine would yield here */
    }
    errno = ETIMEDOUT;
    return -1;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    init_hooks();
    hooked_writes++;
    for (int tries = 0; tries < 100; tries++) {
        ssize_t n = real_write(fd, buf, len);
        if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return n;
        park_until(fd, POLLOUT);
    }
    errno = ETIMEDOUT;
    return -1;
}

static void *late_writer(void *arg)
{
    int fd = *(int *)arg;
    struct timespec ts = {0, 50 * 1000 * 1000};      /* 50 ms */
    nanosleep(&ts, NULL);
    ssize_t n = write(fd, "pong", 4);                /* also hooked */
    assert(n == 4);
    return NULL;
}

int main(void)
{
    int sv[2];
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    /* a hooked socket() would do this silently for every new socket */
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);

    pthread_t t;
    pthread_create(&t, NULL, late_writer, &sv[1]);

    char buf[16] = {0};
    ssize_t n = read(sv[0], buf, sizeof buf - 1);    /* "blocking" style */
    pthread_join(t, NULL);

    printf("app called read() once and got %zd bytes: \"%s\"\n", n, buf);
    printf("hook: hooked reads=%d, real reads=%d, parks=%d, hooked writes=%d\n",
           hooked_reads, real_reads, parks, hooked_writes);
    assert(n == 4 && strcmp(buf, "pong") == 0);
    assert(hooked_reads == 1);      /* the app made one call            */
    assert(parks >= 1);             /* first real read hit EAGAIN        */
    assert(real_reads == parks + 1);/* ... and was retried after waking  */
    assert(hooked_writes == 1);
    close(sv[0]);
    close(sv[1]);
    puts("all checks passed");
    return 0;
}
