// caption: 手工扮演 ZMTP 3.0 对端：读出 DEALER 发来的问候、READY 命令和数据帧的原始字节（MORE/LONG 标志、1 或 8 字节长度）；多帧消息在最后一帧之前对接收方不可见
// point: 消息分帧
// libs: libzmq
// timeout: 15
#define _GNU_SOURCE /* memmem */
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zmq.h>

static void read_full(int fd, unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        assert(r > 0);
        p += r;
        n -= (size_t)r;
    }
}

int main(void) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 1) == 0);
    assert(getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", ntohs(a.sin_port));

    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    assert(zmq_connect(dealer, ep) == 0);
    int fd = accept(lfd, NULL, NULL);
    struct timeval tv = {3, 0};
    assert(fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);

    /* greeting: signature FF 00*8 7F, version 3.0, mechanism "NULL", as-server, filler = 64 bytes */
    unsigned char g[64] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 0, 'N', 'U', 'L', 'L'};
    assert(write(fd, g, sizeof g) == sizeof g);
    unsigned char peer[64];
    read_full(fd, peer, sizeof peer);
    printf("peer greeting: sig %02x..%02x, version %d.%d, mechanism %.4s\n", peer[0], peer[9], peer[10], peer[11], (char *)peer + 12);
    assert(peer[0] == 0xFF && peer[9] == 0x7F && peer[10] == 3 && memcmp(peer + 12, "NULL", 4) == 0);

    /* READY command: flags 0x04 (COMMAND), size, "\5READY", then properties name/value */
    unsigned char ready[] = {0x04, 25, 5, 'R', 'E', 'A', 'D', 'Y', 11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e',
                             0, 0, 0, 6, 'R', 'O', 'U', 'T', 'E', 'R'};
    assert(sizeof ready == 2 + 25 + 3);
    ready[1] = (unsigned char)(sizeof ready - 2);
    assert(write(fd, ready, sizeof ready) == sizeof ready);
    unsigned char hdr[2], body[256];
    read_full(fd, hdr, 2);
    read_full(fd, body, hdr[1]);
    printf("peer command: flags 0x%02x size %d name %.*s, contains Socket-Type DEALER: %s\n", hdr[0], hdr[1], body[0], body + 1,
           memmem(body, hdr[1], "DEALER", 6) ? "yes" : "no");
    assert(hdr[0] == 0x04 && memmem(body, hdr[1], "DEALER", 6));

    /* now data: a 2-frame message and a 300-byte frame */
    assert(zmq_send(dealer, "hdr", 3, ZMQ_SNDMORE) == 3);
    assert(zmq_send(dealer, "body", 4, 0) == 4);
    char big[300];
    memset(big, 'z', sizeof big);
    assert(zmq_send(dealer, big, sizeof big, 0) == sizeof big);
    unsigned char w[11 + 9 + 300];
    read_full(fd, w, sizeof w);
    printf("wire: %02x %02x '%.3s' | %02x %02x '%.4s' | %02x", w[0], w[1], w + 2, w[5], w[6], w + 7, w[11]);
    for (int i = 12; i < 20; i++) printf(" %02x", w[i]);
    printf(" + 300 bytes\n");
    assert(w[0] == 0x01 && w[1] == 3 && w[5] == 0x00 && w[6] == 4); /* MORE, then last frame */
    assert(w[11] == 0x02 && w[18] == 0x01 && w[19] == 0x2c);       /* LONG: 8-byte size 300 */

    /* and back: one short final frame written by hand is one message for the DEALER */
    unsigned char out[] = {0x00, 5, 'h', 'e', 'l', 'l', 'o'};
    assert(write(fd, out, sizeof out) == sizeof out);
    char got[16];
    assert(zmq_recv(dealer, got, sizeof got, 0) == 5 && memcmp(got, "hello", 5) == 0);
    printf("DEALER received 'hello' from the hand-written frame\n");

    /* atomicity: frames sent with SNDMORE stay invisible until the last frame */
    void *tx = zmq_socket(ctx, ZMQ_PAIR), *rx = zmq_socket(ctx, ZMQ_PAIR);
    assert(zmq_bind(rx, "inproc://f") == 0 && zmq_connect(tx, "inproc://f") == 0);
    zmq_pollitem_t it = {rx, 0, ZMQ_POLLIN, 0};
    assert(zmq_send(tx, "part1", 5, ZMQ_SNDMORE) == 5 && zmq_send(tx, "part2", 5, ZMQ_SNDMORE) == 5);
    int before = zmq_poll(&it, 1, 100);
    assert(zmq_send(tx, "last", 4, 0) == 4);
    int after = zmq_poll(&it, 1, 100);
    printf("receiver readable after 2 SNDMORE frames: %d, after the last frame: %d\n", before, after);
    assert(before == 0 && after == 1);
    int zero = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(dealer);
    zmq_close(tx);
    zmq_close(rx);
    zmq_ctx_term(ctx);
    close(fd);
    close(lfd);
    return 0;
}
