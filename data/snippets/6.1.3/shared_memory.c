// caption: System V shmget/shmat 与 POSIX shm_open+mmap：父子进程共享同一块物理内存，用放在共享内存里的信号量同步，观察 nattch 与 /dev/shm
// point: 共享内存
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 100000

struct area { sem_t ready; long data[N]; };

/* The child fills the area and posts; the parent waits and checks every word. */
static void exchange(struct area *a, const char *who) {
    assert(sem_init(&a->ready, 1 /* shared between processes */, 0) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        for (long i = 0; i < N; i++) a->data[i] = i * i;
        sem_post(&a->ready);
        _exit(0);
    }
    sem_wait(&a->ready);
    for (long i = 0; i < N; i++) assert(a->data[i] == i * i);
    waitpid(pid, NULL, 0);
    sem_destroy(&a->ready);
    printf("%-6s child wrote %d longs, parent read them without a copy\n", who, N);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* System V: a kernel object with an id; it lives until IPC_RMID and the last detach. */
    int id = shmget(IPC_PRIVATE, sizeof(struct area), IPC_CREAT | 0600);
    assert(id >= 0);
    struct area *a = shmat(id, NULL, 0);
    assert(a != (void *)-1);
    assert(shmctl(id, IPC_RMID, NULL) == 0); /* mark now: freed at the last detach, even on a crash */
    exchange(a, "SysV");
    struct shmid_ds ds;
    assert(shmctl(id, IPC_STAT, &ds) == 0);
    printf("SysV   shmid %d size %zu nattch %lu (the child detached at exit)\n", id, ds.shm_segsz, (unsigned long)ds.shm_nattch);
    assert(ds.shm_nattch == 1 && ds.shm_segsz == sizeof(struct area));
    assert(shmdt(a) == 0);
    assert(shmctl(id, IPC_STAT, &ds) < 0);   /* gone */

    /* POSIX: a file in the tmpfs at /dev/shm, mapped with mmap. */
    char name[64], path[80];
    snprintf(name, sizeof name, "/atlas-shm-%d", getpid());
    snprintf(path, sizeof path, "/dev/shm%s", name);
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    assert(fd >= 0 && ftruncate(fd, sizeof(struct area)) == 0);
    a = mmap(NULL, sizeof(struct area), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert(a != MAP_FAILED);
    close(fd);
    struct stat st;
    assert(stat(path, &st) == 0);
    printf("POSIX  %s exists, %lld bytes\n", path, (long long)st.st_size);
    exchange(a, "POSIX");
    assert(shm_unlink(name) == 0 && stat(path, &st) < 0);
    munmap(a, sizeof(struct area));
    printf("both segments removed\n");
    return 0;
}
