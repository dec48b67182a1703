// caption: C 版 LT 与 ET：socketpair 写 2048 字节、每次唤醒只读 1024 字节，LT 唤醒 2 次，ET 只有 1 次、剩下的 1024 字节搁浅到新数据到来；EPOLLONESHOT 通知一次后需 EPOLL_CTL_MOD 重新武装；LT 下一直挂着 EPOLLOUT 会让 epoll_wait 次次返回
// point: 代码实现LT/ET的区别
// timeout: 10
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int wakeups(int ep, int fd, int read_each) {   /* how many times epoll reports fd, reading read_each per report */
    int n = 0;
    char buf[4096];
    for (int i = 0; i < 10; i++) {                       /* bounded: at most 10 polls */
        struct epoll_event ev;
        if (epoll_wait(ep, &ev, 1, 50) != 1) break;      /* 50 ms of silence: no more reports */
        n++;
        ssize_t k = read(fd, buf, read_each);
        assert(k > 0);
    }
    return n;
}

static void pair(int sv[2], int ep, unsigned events) {
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = events, .data.fd = sv[1]};
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev) == 0);
}

int main(void) {
    char data[2048];
    memset(data, 'x', sizeof data);
    int sv[2], ep = epoll_create1(0);

    pair(sv, ep, EPOLLIN);                               /* level-triggered */
    assert(write(sv[0], data, 2048) == 2048);
    int lt = wakeups(ep, sv[1], 1024);
    printf("LT: 2048 bytes, 1024 read per wake-up -> %d wake-ups\n", lt);
    assert(lt == 2);
    close(sv[0]), close(sv[1]);

    pair(sv, ep, EPOLLIN | EPOLLET);                     /* edge-triggered */
    assert(write(sv[0], data, 2048) == 2048);
    int et = wakeups(ep, sv[1], 1024);
    char buf[4096];
    ssize_t left = recv(sv[1], buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    printf("ET: 2048 bytes, 1024 read per wake-up -> %d wake-up, %zd bytes stranded\n", et, left);
    assert(et == 1 && left == 1024);
    assert(write(sv[0], "y", 1) == 1);                   /* a new edge: new data arrives */
    et = wakeups(ep, sv[1], 4096);
    printf("ET: 1 more byte written -> %d wake-up, read everything that was waiting\n", et);
    assert(et == 1 && recv(sv[1], buf, 1, MSG_DONTWAIT) == -1);
    close(sv[0]), close(sv[1]);

    pair(sv, ep, EPOLLIN | EPOLLONESHOT);
    assert(write(sv[0], data, 2048) == 2048);
    int os = wakeups(ep, sv[1], 1024);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.fd = sv[1]};
    assert(epoll_ctl(ep, EPOLL_CTL_MOD, sv[1], &ev) == 0);   /* re-arm: data still there, so it fires */
    int again = wakeups(ep, sv[1], 1024);
    printf("ONESHOT: %d wake-up until EPOLL_CTL_MOD, then %d more\n", os, again);
    assert(os == 1 && again == 1);
    close(sv[0]), close(sv[1]);

    pair(sv, ep, EPOLLOUT);                              /* LT + EPOLLOUT on an idle socket */
    int spins = 0;
    for (int i = 0; i < 1000; i++) { struct epoll_event e; spins += epoll_wait(ep, &e, 1, 0); }
    struct epoll_event eo = {.events = EPOLLOUT | EPOLLET, .data.fd = sv[1]};
    assert(epoll_ctl(ep, EPOLL_CTL_MOD, sv[1], &eo) == 0);
    int edges = 0;
    for (int i = 0; i < 1000; i++) { struct epoll_event e; edges += epoll_wait(ep, &e, 1, 0); }
    printf("EPOLLOUT left on an idle socket: LT reported it %d of 1000 calls, ET %d\n", spins, edges);
    assert(spins == 1000 && edges == 1);
    close(sv[0]), close(sv[1]), close(ep);
    return 0;
}
