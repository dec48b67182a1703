// caption: 造出 R、S、D、T、Z 五种状态的子进程，从 /proc/<pid>/stat 读出状态字母，再回收僵尸并确认它消失
// point: 进程状态迁移
// timeout: 15
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* State letter of a task: the field after "(comm)" in /proc/<pid>/stat. */
static char state_of(pid_t pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return '-';                       /* no /proc entry: fully gone */
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *rp = strrchr(buf, ')');             /* comm may contain spaces */
    return rp ? rp[2] : '?';
}

/* Poll until the task shows the wanted state (the machine may be loaded). */
static char wait_state(pid_t pid, char want) {
    char s = '?';
    for (int i = 0; i < 300 && (s = state_of(pid)) != want; i++) usleep(10000);
    return s;
}

int main(void) {
    pid_t busy = fork();
    if (busy == 0) { for (volatile unsigned long i = 0;; i++) {} }        /* R */
    pid_t sleeper = fork();
    if (sleeper == 0) { pause(); _exit(0); }                                 /* S */
    pid_t vforker = fork();
    if (vforker == 0) {              /* D: a vfork parent waits TASK_KILLABLE */
        if (vfork() == 0) { usleep(1500000); _exit(0); }
        _exit(0);
    }
    pid_t stopped = fork();
    if (stopped == 0) { pause(); _exit(0); }
    kill(stopped, SIGSTOP);                                                  /* T */
    pid_t zombie = fork();
    if (zombie == 0) _exit(42);                                              /* Z */

    struct { const char *what; pid_t pid; char want; } t[] = {
        {"busy loop", busy, 'R'}, {"pause()", sleeper, 'S'},
        {"vfork parent", vforker, 'D'}, {"SIGSTOP", stopped, 'T'},
        {"exited, not reaped", zombie, 'Z'},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char s = wait_state(t[i].pid, t[i].want);
        printf("pid %-6d %-20s state %c\n", t[i].pid, t[i].what, s);
        assert(s == t[i].want);
    }
    int st;
    assert(waitpid(zombie, &st, 0) == zombie);       /* reap: exit code read */
    assert(WIFEXITED(st) && WEXITSTATUS(st) == 42);
    assert(state_of(zombie) == '-');
    printf("reaped zombie %d: exit status %d, /proc entry gone\n", zombie, WEXITSTATUS(st));

    kill(stopped, SIGCONT);                          /* T -> S again */
    assert(wait_state(stopped, 'S') == 'S');
    printf("SIGCONT: pid %d back to S\n", stopped);
    pid_t all[] = {busy, sleeper, stopped};
    for (int i = 0; i < 3; i++) { kill(all[i], SIGKILL); waitpid(all[i], NULL, 0); }
    waitpid(vforker, NULL, 0);
    return 0;
}
