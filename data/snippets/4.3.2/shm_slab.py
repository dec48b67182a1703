# caption: 在匿名共享映射里实现一个玩具版 ngx_slab：4 KiB 页按 2 的幂切成 8–2048 字节的块，small/exact/big 三种位图放法，大于 2048 字节整页分配；多进程并发分配释放，检查没有块被重复分配、释放后被复用
# point: slab共享内存
# timeout: 30
import mmap
import multiprocessing
import os
import random
import struct
import sys

PAGE_SHIFT = 12
PAGE = 1 << PAGE_SHIFT                 # ngx_pagesize
MIN_SHIFT = 3                          # pool->min_shift = 3: smallest chunk 8 bytes
EXACT_SHIFT = 6                        # 4096 / (8 * sizeof(uintptr_t)) = 64 bytes
MAX_SIZE = PAGE // 2                   # ngx_slab_max_size: above this, whole pages
NSLOTS = PAGE_SHIFT - MIN_SHIFT        # 9 size classes: 8, 16, ..., 2048
NPAGES = 64

FREE, PAGE_RUN, PAGE_CONT, SMALL, EXACT, BIG = range(6)
TYPE_NAME = {SMALL: "small", EXACT: "exact", BIG: "big"}

# shared layout: [header | page descriptors | ... page area (page aligned) | ownership map]
HDR_SLOTS = 0                          # NSLOTS x int32: head of each slot's partial-page list
HDR_USED, HDR_PEAK = 64, 72            # pages in use now / at peak
DESC_OFF, DESC_FMT = 256, "Qiii4x"     # slab word, next, prev, type
DESC_SIZE = struct.calcsize(DESC_FMT)
AREA = PAGE                            # pool->start
OWN = AREA + NPAGES * PAGE             # test harness: owner byte per 8-byte granule
SHM_SIZE = OWN + NPAGES * PAGE // 8

shm = None
LOCK = None                            # the pool mutex (ngx_slab_pool_t.mutex)


def i32(off, value=None):
    if value is None:
        return struct.unpack_from("i", shm, off)[0]
    struct.pack_into("i", shm, off, value)


def desc(i):
    return list(struct.unpack_from(DESC_FMT, shm, DESC_OFF + i * DESC_SIZE))


def set_desc(i, slab, nxt, prv, typ):
    struct.pack_into(DESC_FMT, shm, DESC_OFF + i * DESC_SIZE, slab, nxt, prv, typ)


def page_addr(i):
    return AREA + (i << PAGE_SHIFT)


def add_used(n):
    used = struct.unpack_from("q", shm, HDR_USED)[0] + n
    struct.pack_into("q", shm, HDR_USED, used)
    if used > struct.unpack_from("q", shm, HDR_PEAK)[0]:
        struct.pack_into("q", shm, HDR_PEAK, used)


def slab_init():
    for s in range(NSLOTS):
        i32(HDR_SLOTS + 4 * s, -1)
    for i in range(NPAGES):
        set_desc(i, 0, -1, -1, FREE)


# ---- pages: first fit over the descriptor array (nginx keeps a list of free runs)
def alloc_pages(n):
    run = 0
    for i in range(NPAGES):
        run = run + 1 if desc(i)[3] == FREE else 0
        if run == n:
            first = i - n + 1
            for j in range(first, i + 1):
                set_desc(j, 0, -1, -1, PAGE_CONT)
            add_used(n)
            return first
    return None                        # "ngx_slab_alloc() failed: no memory"


def free_pages(first, n):
    for j in range(first, first + n):
        set_desc(j, 0, -1, -1, FREE)   # neighbours are FREE too: runs merge by themselves
    add_used(-n)


# ---- chunk bitmaps: where nginx keeps them depends on the chunk size
def layout(shift):
    nchunks = PAGE >> shift
    if shift < EXACT_SHIFT:            # small: bitmap occupies the first chunks of the page
        reserved = max(1, (nchunks // 8) >> shift)
        return SMALL, nchunks, reserved
    if shift == EXACT_SHIFT:           # exact: 64 chunks, bitmap = the 64-bit slab word
        return EXACT, nchunks, 0
    return BIG, nchunks, 0             # big: <= 32 chunks, bitmap in the slab's high half


def get_bits(i, d):
    typ = d[3]
    if typ == SMALL:
        nbytes = (PAGE >> (d[0] & 0xF)) // 8
        return int.from_bytes(shm[page_addr(i):page_addr(i) + nbytes], "little")
    if typ == EXACT:
        return d[0]
    return d[0] >> 32


def set_bits(i, d, bits):
    typ = d[3]
    if typ == SMALL:
        nbytes = (PAGE >> (d[0] & 0xF)) // 8
        shm[page_addr(i):page_addr(i) + nbytes] = bits.to_bytes(nbytes, "little")
    elif typ == EXACT:
        d[0] = bits
    else:
        d[0] = (bits << 32) | (d[0] & 0xF)
    set_desc(i, *d)


def slot_push(slot, i):
    head = i32(HDR_SLOTS + 4 * slot)
    d = desc(i)
    set_desc(i, d[0], head, -1, d[3])
    if head != -1:
        h = desc(head)
        set_desc(head, h[0], h[1], i, h[3])
    i32(HDR_SLOTS + 4 * slot, i)


def slot_unlink(slot, i):
    d = desc(i)
    nxt, prv = d[1], d[2]
    if prv == -1:
        i32(HDR_SLOTS + 4 * slot, nxt)
    else:
        p = desc(prv)
        set_desc(prv, p[0], nxt, p[2], p[3])
    if nxt != -1:
        n = desc(nxt)
        set_desc(nxt, n[0], n[1], prv, n[3])
    set_desc(i, d[0], -1, -1, d[3])


def size_class(size):
    shift = max(MIN_SHIFT, (size - 1).bit_length())
    return shift, shift - MIN_SHIFT


def alloc_locked(size):
    """ngx_slab_alloc_locked(): returns an offset into the shared mapping, or None."""
    if size > MAX_SIZE:
        n = -(-size // PAGE)
        i = alloc_pages(n)
        if i is None:
            return None
        set_desc(i, n, -1, -1, PAGE_RUN)
        return page_addr(i)
    shift, slot = size_class(size)
    typ, nchunks, reserved = layout(shift)
    full = (1 << nchunks) - 1
    i = i32(HDR_SLOTS + 4 * slot)      # the list only holds pages with a free chunk
    if i == -1:
        i = alloc_pages(1)
        if i is None:
            return None
        slab = shift if typ == SMALL else 0 if typ == EXACT else shift
        set_desc(i, slab, -1, -1, typ)
        set_bits(i, desc(i), (1 << reserved) - 1)
        slot_push(slot, i)
    d = desc(i)
    bits = get_bits(i, d)
    k = (~bits & (bits + 1)).bit_length() - 1          # lowest zero bit
    assert not bits >> k & 1 and k < nchunks
    bits |= 1 << k
    set_bits(i, d, bits)
    if bits == full:
        slot_unlink(slot, i)           # full pages leave the slot list
    return page_addr(i) + (k << shift)


def free_locked(addr):
    """ngx_slab_free_locked()"""
    i = (addr - AREA) >> PAGE_SHIFT
    assert 0 <= i < NPAGES, "ngx_slab_free(): outside of pool"
    d = desc(i)
    typ = d[3]
    if typ == PAGE_RUN:
        assert addr == page_addr(i), "pointer to wrong chunk"
        free_pages(i, d[0])
        return
    assert typ in (SMALL, EXACT, BIG), "page is already free / pointer to wrong page"
    shift = EXACT_SHIFT if typ == EXACT else d[0] & 0xF
    _, nchunks, reserved = layout(shift)
    off = addr - page_addr(i)
    assert off % (1 << shift) == 0, "pointer to wrong chunk"
    k = off >> shift
    bits = get_bits(i, d)
    assert bits >> k & 1, "chunk is already free"
    slot = shift - MIN_SHIFT
    if bits == (1 << nchunks) - 1:
        slot_push(slot, i)             # was full: back on the slot list
    bits &= ~(1 << k)
    set_bits(i, desc(i), bits)
    if bits == (1 << reserved) - 1:    # nothing left but the bitmap: return the page
        slot_unlink(slot, i)
        free_pages(i, 1)


def granted(addr, size):
    """Harness: the byte range really handed out for this request."""
    if size > MAX_SIZE:
        return -(-size // PAGE) * PAGE
    return 1 << size_class(size)[0]


def claim(addr, size, owner):
    """Under the pool lock: every granule of the chunk must be unowned, then take it."""
    g0, n = (addr - AREA) // 8, granted(addr, size) // 8
    assert shm[OWN + g0:OWN + g0 + n] == bytes(n), f"chunk {addr} handed out twice"
    shm[OWN + g0:OWN + g0 + n] = bytes([owner]) * n


def release(addr, size):
    g0, n = (addr - AREA) // 8, granted(addr, size) // 8
    shm[OWN + g0:OWN + g0 + n] = bytes(n)


def alloc(size, owner=255):
    with LOCK:                         # ngx_slab_alloc(): ngx_shmtx_lock(&pool->mutex)
        p = alloc_locked(size)
        if p is not None:
            claim(p, size, owner)
        return p


def free(p, size):
    with LOCK:
        release(p, size)
        free_locked(p)


def pool_is_empty():
    return (all(desc(i)[3] == FREE for i in range(NPAGES))
            and all(i32(HDR_SLOTS + 4 * s) == -1 for s in range(NSLOTS))
            and shm[OWN:SHM_SIZE] == bytes(SHM_SIZE - OWN))


def fork_run(fn):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = fn()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


SIZES = [8, 12, 24, 40, 64, 100, 200, 700, 1500, 3000, 9000]
WEIGHTS = [6, 6, 6, 6, 5, 5, 4, 3, 2, 1, 1]


def stress(slot, rounds=600):
    rng = random.Random(1000 + slot)
    live = []
    allocs = frees = nomem = 0
    for seq in range(rounds):
        if live and (len(live) >= 24 or rng.random() < 0.45):
            p, size, pattern = live.pop(rng.randrange(len(live)))
            assert shm[p:p + size] == pattern, f"chunk {p} was overwritten by someone else"
            free(p, size)
            frees += 1
        else:
            size = rng.choices(SIZES, WEIGHTS)[0]
            p = alloc(size, owner=slot + 1)
            if p is None:
                nomem += 1
                continue
            pattern = (struct.pack("<HHI", slot, seq & 0xFFFF, p) * (size // 8 + 1))[:size]
            shm[p:p + size] = pattern  # written outside the lock, like real users do
            live.append((p, size, pattern))
            allocs += 1
    for p, size, pattern in live:
        assert shm[p:p + size] == pattern
        free(p, size)
        frees += 1
    struct.pack_into("3q", shm, 128 + 24 * slot, allocs, frees, nomem)
    return 0


def main():
    global shm, LOCK
    if not sys.platform.startswith("linux"):
        print("this demo needs Linux (fork)")
        return
    shm = mmap.mmap(-1, SHM_SIZE)      # MAP_SHARED|MAP_ANONYMOUS before fork
    LOCK = multiprocessing.Lock()
    slab_init()

    print(f"pool: {NPAGES} pages of {PAGE} B; classes 8..{MAX_SIZE} B; larger = whole pages")
    print("class  type   chunks/page  bitmap       usable  (filled until a 2nd page is needed)")
    for shift in range(MIN_SHIFT, PAGE_SHIFT):
        typ, nchunks, reserved = layout(shift)
        size = 1 << shift
        ptrs = [alloc(size)]
        first_page = (ptrs[0] - AREA) >> PAGE_SHIFT
        while (ptrs[-1] - AREA) >> PAGE_SHIFT == first_page:
            ptrs.append(alloc(size))
        usable = len(ptrs) - 1
        where = {SMALL: f"{reserved} chunk(s)", EXACT: "slab word", BIG: "slab hi 32"}[typ]
        print(f"{size:5d}  {TYPE_NAME[typ]:<6} {nchunks:11d}  {where:<12} {usable:6d}")
        assert usable == nchunks - reserved
        for p in ptrs:
            free(p, size)
    assert pool_is_empty(), "all pages must be back after freeing everything"

    a = alloc(24)
    free(a, 24)
    b = alloc(20)
    print(f"\nalloc(24) -> offset {a} (page 0, chunk {(a - AREA) // 32}), free, "
          f"alloc(20) -> offset {b}: same 32-byte slot reused")
    assert a == b
    free(b, 20)

    big1, big3 = alloc(3000), alloc(9000)
    print(f"alloc(3000) -> page {(big1 - AREA) // PAGE}, alloc(9000) -> pages "
          f"{(big3 - AREA) // PAGE}..{(big3 - AREA) // PAGE + 2} (whole pages, page-aligned)")
    assert big1 % PAGE == 0 and big3 % PAGE == 0
    assert [desc(i)[3] for i in range(4)] == [PAGE_RUN, PAGE_RUN, PAGE_CONT, PAGE_CONT]
    free(big1, 3000)
    free(big3, 9000)

    # The metadata lives in shared memory: what a child does, the parent sees.
    def child():
        x = alloc(100)
        free(x, 100)
        struct.pack_into("q", shm, 80, x)
        y = alloc(100)                 # kept: the child exits without freeing it
        struct.pack_into("q", shm, 88, y)
        return 0
    assert fork_run(child) == 0
    x, y = struct.unpack_from("2q", shm, 80)
    z = alloc(100)
    print(f"child: alloc(100) -> offset {x}, free, alloc(100) -> {x} again (kept, child exits)")
    print(f"parent: alloc(100) -> offset {z}: the next 128-byte chunk of the same page")
    assert x == y and z != y and (z - AREA) // PAGE == (y - AREA) // PAGE
    free(z, 100)
    free(y, 100)                       # any process may free what another allocated
    assert pool_is_empty()

    workers = 4
    struct.pack_into("q", shm, HDR_PEAK, 0)
    pids = []
    for s in range(workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = stress(s)
            finally:
                os._exit(code)
        pids.append(pid)
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "a worker found a corrupted chunk"
    stats = [struct.unpack_from("3q", shm, 128 + 24 * s) for s in range(workers)]
    allocs = sum(s[0] for s in stats)
    frees = sum(s[1] for s in stats)
    nomem = sum(s[2] for s in stats)
    peak = struct.unpack_from("q", shm, HDR_PEAK)[0]
    print(f"\n{workers} processes, random sizes 8..9000 B: {allocs} allocs, {frees} frees, "
          f"{nomem} 'no memory', peak {peak}/{NPAGES} pages")
    assert allocs == frees and allocs > 1000
    assert pool_is_empty(), "leak: pages or slot lists not empty after all frees"
    print("no chunk was handed out twice, every pattern survived, pool is empty again: OK")


if __name__ == "__main__":
    main()
