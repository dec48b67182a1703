// caption: inode、dentry、file 三层对象：硬链接共享 inode，两次 open 得到两个打开文件描述，dup/fork 共享偏移，unlink 后 inode 仍活到最后一次 close
// point: file/inode原理
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static long pos_from_fdinfo(int fd) { /* the kernel's struct file f_pos */
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    int f = open(path, O_RDONLY);
    assert(f >= 0);
    ssize_t n = read(f, buf, sizeof buf - 1);
    close(f);
    assert(n > 0);
    buf[n] = 0;
    long pos = -1;
    assert(sscanf(buf, "pos: %ld", &pos) == 1);
    return pos;
}

int main(void) {
    int w = open("a.txt", O_CREAT | O_TRUNC | O_WRONLY, 0644);
    assert(w >= 0 && write(w, "0123456789", 10) == 10);
    close(w);
    assert(link("a.txt", "b.txt") == 0);              /* second dentry, same inode */
    struct stat sa, sb;
    assert(stat("a.txt", &sa) == 0 && stat("b.txt", &sb) == 0);
    printf("a.txt ino=%lu b.txt ino=%lu nlink=%lu\n",
           (unsigned long)sa.st_ino, (unsigned long)sb.st_ino, (unsigned long)sa.st_nlink);
    assert(sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev && sa.st_nlink == 2);

    int fd1 = open("a.txt", O_RDONLY), fd2 = open("b.txt", O_RDONLY);
    int fd3 = dup(fd1);                                /* same struct file as fd1 */
    char c;
    assert(read(fd1, &c, 1) == 1 && read(fd1, &c, 1) == 1 && read(fd3, &c, 1) == 1);
    printf("after 2 reads on fd1 and 1 on its dup fd3: pos fd1=%ld fd3=%ld fd2=%ld, fd3 read '%c'\n",
           pos_from_fdinfo(fd1), pos_from_fdinfo(fd3), pos_from_fdinfo(fd2), c);
    assert(c == '2' && pos_from_fdinfo(fd1) == 3 && pos_from_fdinfo(fd3) == 3);
    assert(pos_from_fdinfo(fd2) == 0);                  /* its own open file description */
    assert(read(fd2, &c, 1) == 1 && c == '0');

    pid_t pid = fork();                                /* child inherits fd1's struct file */
    if (pid == 0) { char d; _exit(read(fd1, &d, 1) == 1 && d == '3' ? 0 : 1); }
    int st;
    assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    printf("child read one byte via inherited fd1: parent pos now %ld\n", pos_from_fdinfo(fd1));
    assert(pos_from_fdinfo(fd1) == 4);

    assert(unlink("a.txt") == 0 && unlink("b.txt") == 0); /* no name left */
    struct stat sf;
    assert(fstat(fd2, &sf) == 0 && sf.st_nlink == 0 && sf.st_ino == sa.st_ino);
    char rest[8] = {0};
    assert(pread(fd2, rest, 6, 4) == 6 && memcmp(rest, "456789", 6) == 0);
    printf("after unlinking both names: nlink=%lu, data still readable: \"%s\"\n",
           (unsigned long)sf.st_nlink, rest);
    close(fd1); close(fd2); close(fd3);                 /* last reference: inode freed now */
    return 0;
}
