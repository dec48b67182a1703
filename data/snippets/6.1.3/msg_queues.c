// caption: System V 消息队列按类型挑着收，POSIX 消息队列按优先级出队；子进程发、父进程收，最后删除两个队列
// point: 消息队列
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

struct msg { long mtype; char text[32]; };

static void sysv(void) {
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    assert(q >= 0);
    if (fork() == 0) {                       /* producer: types 1, 2, 3 */
        for (long t = 1; t <= 3; t++) {
            struct msg m = { .mtype = t };
            snprintf(m.text, sizeof m.text, "job of type %ld", t);
            assert(msgsnd(q, &m, sizeof m.text, 0) == 0);
        }
        _exit(0);
    }
    wait(NULL);
    struct msqid_ds ds;
    assert(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 3);
    struct msg m;
    assert(msgrcv(q, &m, sizeof m.text, 2, 0) >= 0 && m.mtype == 2);    /* exactly type 2 */
    printf("SysV  msgrcv(type=2)  -> \"%s\" (queue had %lu)\n", m.text, (unsigned long)ds.msg_qnum);
    assert(msgrcv(q, &m, sizeof m.text, -3, 0) >= 0 && m.mtype == 1);   /* lowest type <= 3 */
    printf("SysV  msgrcv(type=-3) -> \"%s\"\n", m.text);
    assert(msgrcv(q, &m, sizeof m.text, 0, 0) >= 0 && m.mtype == 3);    /* oldest left */
    assert(msgrcv(q, &m, sizeof m.text, 0, IPC_NOWAIT) < 0 && errno == ENOMSG);
    assert(msgctl(q, IPC_RMID, NULL) == 0);  /* SysV queues outlive processes: remove it */
}

static void posix(void) {
    char name[64];
    snprintf(name, sizeof name, "/atlas-mq-%d", getpid());
    struct mq_attr at = { .mq_maxmsg = 8, .mq_msgsize = 64 };
    mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &at);
    assert(q != (mqd_t)-1);
    if (fork() == 0) {                       /* producer: priorities 1, 5, 3 */
        unsigned prio[] = {1, 5, 3};
        for (int i = 0; i < 3; i++) {
            char buf[64];
            snprintf(buf, sizeof buf, "prio %u", prio[i]);
            assert(mq_send(q, buf, strlen(buf) + 1, prio[i]) == 0);
        }
        _exit(0);
    }
    wait(NULL);
    assert(mq_getattr(q, &at) == 0 && at.mq_curmsgs == 3);
    unsigned want[] = {5, 3, 1};             /* highest priority first */
    for (int i = 0; i < 3; i++) {
        char buf[64];
        unsigned p;
        assert(mq_receive(q, buf, sizeof buf, &p) > 0 && p == want[i]);
        printf("POSIX mq_receive       -> \"%s\"\n", buf);
    }
    struct mq_attr nb = { .mq_flags = O_NONBLOCK };
    mq_setattr(q, &nb, NULL);
    char buf[64];
    assert(mq_receive(q, buf, sizeof buf, NULL) < 0 && errno == EAGAIN);
    mq_close(q);
    assert(mq_unlink(name) == 0);
    printf("both queues empty and removed\n");
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    sysv();
    posix();
    return 0;
}
