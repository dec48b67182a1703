// caption: 文件映射的两种语义：MAP_SHARED 的写直接落在页缓存，read() 和另一个进程都能看到并可 msync 回盘；MAP_PRIVATE 的写触发写时复制，文件和别人都看不到
// point: 内存映射
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEN 4096

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fd = open("mapped.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert(fd >= 0);
    char page[LEN];
    memset(page, 'a', LEN);
    assert(write(fd, page, LEN) == LEN);
    char *shared = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *priv = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    assert(shared != MAP_FAILED && priv != MAP_FAILED);

    pid_t pid = fork();
    if (pid == 0) {                       /* another process, its own mappings of the file */
        char *s2 = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        assert(s2 != MAP_FAILED);
        memcpy(s2, "child", 5);           /* lands in the page cache page */
        assert(msync(s2, LEN, MS_SYNC) == 0);
        _exit(0);
    }
    int st;
    assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char buf[8] = {0};
    assert(pread(fd, buf, 5, 0) == 5);
    printf("child wrote via MAP_SHARED: parent's shared map sees \"%.5s\", read() sees \"%.5s\"\n",
           shared, buf);
    assert(!memcmp(shared, "child", 5) && !memcmp(buf, "child", 5));
    printf("parent's MAP_PRIVATE map, never written, also sees \"%.5s\" (same page cache page)\n", priv);
    assert(!memcmp(priv, "child", 5));

    memcpy(priv, "priv!", 5);             /* copy-on-write: a private anonymous copy */
    memcpy(shared + 100, "later", 5);     /* later changes to the file ... */
    assert(pread(fd, buf, 5, 0) == 5);
    printf("after writing the private map: private \"%.5s\", file \"%.5s\"\n", priv, buf);
    assert(!memcmp(priv, "priv!", 5) && !memcmp(buf, "child", 5));
    assert(priv[100] == 'a');             /* ... no longer reach the copied private page */
    printf("private page now misses later file changes: priv[100]='%c', shared[100]='%c'\n",
           priv[100], shared[100]);
    munmap(shared, LEN);
    munmap(priv, LEN);
    close(fd);
    unlink("mapped.dat");
    return 0;
}
