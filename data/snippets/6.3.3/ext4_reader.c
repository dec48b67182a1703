// caption: 手写 ext4 只读解析器：mkfs.ext4 在文件上建镜像、debugfs 写入一个文件（不挂载），再按磁盘格式读超级块、组描述符、inode 表、extent 树、目录项和 jbd2 日志超级块，取回文件逐字节比对
// point: Ext4文件系统
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_LEN 300000
static int img;
static uint32_t bs, ipg, isz, desc_sz;
static uint64_t itable0;                    /* inode table of group 0 (enough here) */

static uint16_t le16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static void rd(void *buf, size_t n, uint64_t off) { assert(pread(img, buf, n, off) == (ssize_t)n); }

static void read_inode(uint32_t ino, uint8_t *in) {
    assert((ino - 1) / ipg == 0);
    rd(in, isz, itable0 * bs + (uint64_t)((ino - 1) % ipg) * isz);
}

/* i_block holds an extent header (magic 0xF30A) and, at depth 0, up to 4 extents */
static uint64_t first_block(const uint8_t *in, int verbose) {
    const uint8_t *eh = in + 0x28;
    assert(le32(in + 0x20) & 0x80000);        /* EXT4_EXTENTS_FL */
    assert(le16(eh) == 0xF30A && le16(eh + 6) == 0); /* magic, depth 0 */
    for (int i = 0; i < le16(eh + 2) && verbose; i++) {
        const uint8_t *e = eh + 12 + 12 * i;
        printf("  extent %d: logical %u, len %u, physical %llu\n", i, le32(e), le16(e + 4),
               (unsigned long long)((uint64_t)le16(e + 6) << 32 | le32(e + 8)));
    }
    const uint8_t *e = eh + 12;
    return (uint64_t)le16(e + 6) << 32 | le32(e + 8);
}

int main(void) {
    uint8_t *data = malloc(FILE_LEN);
    for (int i = 0; i < FILE_LEN; i++) data[i] = (uint8_t)(i * 131 ^ i >> 9);
    FILE *f = fopen("data.bin", "w");
    assert(f && fwrite(data, 1, FILE_LEN, f) == FILE_LEN && fclose(f) == 0);
    assert(system("mkfs.ext4 -F -q -b 4096 disk.img 64M >/dev/null 2>&1") == 0);
    assert(system("debugfs -w -R 'write data.bin data' disk.img >/dev/null 2>&1") == 0);
    img = open("disk.img", O_RDONLY);
    assert(img >= 0);

    uint8_t sb[1024];
    rd(sb, sizeof sb, 1024);                  /* the superblock always starts at byte 1024 */
    assert(le16(sb + 0x38) == 0xEF53);
    bs = 1024u << le32(sb + 0x18);
    ipg = le32(sb + 0x28);
    isz = le16(sb + 0x58);
    uint32_t incompat = le32(sb + 0x60);
    desc_sz = (incompat & 0x80) ? le16(sb + 0xFE) : 32;   /* 64bit feature */
    printf("superblock: magic 0xEF53 block %u B, %u inodes, %u blocks, %u inodes/group, inode %u B\n",
           bs, le32(sb), le32(sb + 4), ipg, isz);
    printf("  compat 0x%x (has_journal=%d) incompat 0x%x (extents=%d 64bit=%d flex_bg=%d)\n",
           le32(sb + 0x5C), !!(le32(sb + 0x5C) & 4), incompat, !!(incompat & 0x40),
           !!(incompat & 0x80), !!(incompat & 0x200));

    uint8_t gd[64];
    rd(gd, desc_sz, (uint64_t)(le32(sb + 0x14) + 1) * bs);  /* GDT follows the superblock block */
    itable0 = le32(gd + 8) | (desc_sz >= 64 ? (uint64_t)le32(gd + 0x28) << 32 : 0);
    printf("group 0 descriptor: inode table at block %llu\n", (unsigned long long)itable0);

    uint8_t in[1024], *blk = malloc(bs);
    read_inode(2, in);                        /* inode 2 is the root directory */
    printf("root inode 2: mode 0%o links %u\n", le16(in), le16(in + 0x1A));
    rd(blk, bs, first_block(in, 0) * bs);
    uint32_t target = 0;
    for (uint32_t off = 0; off < bs;) {       /* ext4_dir_entry_2 records */
        uint32_t ino = le32(blk + off);
        uint16_t rec = le16(blk + off + 4);
        uint8_t nlen = blk[off + 6];
        if (ino) printf("  dirent inode %-3u type %u name %.*s\n", ino, blk[off + 7], nlen, blk + off + 8);
        if (ino && nlen == 4 && memcmp(blk + off + 8, "data", 4) == 0) target = ino;
        assert(rec >= 8);
        off += rec;
    }
    assert(target);
    read_inode(target, in);
    uint32_t size = le32(in + 4);
    printf("inode %u: size %u, flags 0x%x\n", target, size, le32(in + 0x20));
    uint64_t start = first_block(in, 1);
    uint8_t *got = malloc(FILE_LEN);
    rd(got, FILE_LEN, start * bs);            /* one contiguous extent on a fresh fs */
    assert(size == FILE_LEN && memcmp(got, data, FILE_LEN) == 0);
    printf("read %u bytes straight from the image: identical to data.bin\n", size);

    read_inode(le32(sb + 0xE0), in);          /* s_journal_inum, normally 8 */
    rd(blk, bs, first_block(in, 0) * bs);
    printf("journal inode %u: jbd2 magic 0x%08X, blocktype %u, %u blocks of %u B\n",
           le32(sb + 0xE0), be32(blk), be32(blk + 4), be32(blk + 16), be32(blk + 12));
    assert(be32(blk) == 0xC03B3998);          /* jbd2 fields are big-endian */
    free(data); free(got); free(blk);
    close(img);
    return 0;
}
