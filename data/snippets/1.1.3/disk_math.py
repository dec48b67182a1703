# caption: 估算 16 KiB 页的 B+ 树扇出与层数，对比二叉平衡树在机械盘和 SSD 上一次查找的随机 I/O 代价
# point: 磁盘结构分析与数据存储原理
import math

PAGE = 16 * 1024            # InnoDB default innodb_page_size
OVERHEAD = 38 + 56 + 26 + 8  # assumed per-page bytes: file header, page header, infimum/supremum, trailer
KEY = 8                     # BIGINT primary key
CHILD = 4                   # child page number
REC_HDR = 5                 # compact record header (assumption for the estimate)
ROW = 1024                  # assumed average row size in a leaf


def fanout():
    return (PAGE - OVERHEAD) // (KEY + CHILD + REC_HDR)


def rows_per_leaf():
    return (PAGE - OVERHEAD) // (ROW + REC_HDR)


def levels_needed(n, f, leaf_rows):
    """Smallest number of levels (leaf level included) whose capacity reaches n."""
    levels, capacity = 1, leaf_rows
    while capacity < n:
        capacity *= f
        levels += 1
    return levels


def main():
    f, lr = fanout(), rows_per_leaf()
    print(f"page {PAGE} B: inner fanout ~{f} children, leaf holds ~{lr} rows of {ROW} B")
    for lv in (1, 2, 3, 4):
        print(f"  {lv} level(s) can address up to {lr * f ** (lv - 1):>16,d} rows")
    assert 900 <= f <= 1200 and 10 <= lr <= 16

    hdd_ms, ssd_ms = 10.0, 0.1        # rough random-read latency, order of magnitude only
    print("rows           BST height  B+ levels  HDD: BST vs B+ (ms)   SSD: BST vs B+ (ms)")
    for n in (10 ** 6, 10 ** 7, 10 ** 8, 10 ** 9):
        bst = math.ceil(math.log2(n + 1))          # best case for a perfectly balanced BST
        bp = levels_needed(n, f, lr)
        # brute-force cross-check of the closed form ceil(log_f(n / lr)) + 1
        assert bp == max(1, math.ceil(math.log(n / lr, f) - 1e-12) + 1)
        print(f"{n:>13,d}  {bst:10d}  {bp:9d}  {bst * hdd_ms:8.0f} vs {bp * hdd_ms:4.0f}"
              f"         {bst * ssd_ms:5.1f} vs {bp * ssd_ms:3.1f}")
        assert bp <= 4 < bst
    # the upper levels are tiny: they stay in the buffer pool, so a lookup costs ~1 I/O
    inner_pages = sum(math.ceil(10 ** 8 / lr / f ** i) for i in range(1, levels_needed(10 ** 8, f, lr)))
    print(f"for 1e8 rows all inner pages together: {inner_pages:,d} pages = "
          f"{inner_pages * PAGE / 2 ** 20:.0f} MiB, small enough to cache in memory")


if __name__ == "__main__":
    main()
