// caption: C 版 B+ 树（每节点最多 M = 3、4、7 个键）：记录只在叶子、叶子 prev/next 双向链接；自底向上插入（叶子分裂复制分隔键、内部分裂上移中间键），删除时向兄弟借或合并并修正链表；随机插入删除与位图对照，检查不变式，正反向范围扫描与参考一致
// point: B+树的定义与实现
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MMAX 7
typedef struct node {
    int leaf, n, keys[MMAX + 1];                 /* one spare slot: a node may overflow before it splits */
    struct node *child[MMAX + 2];                /* internal: children; child i holds K[i-1] <= k < K[i] */
    int val[MMAX + 1];                           /* leaf: the records */
    struct node *prev, *next;                    /* leaf chain */
} node;
static int M, MIN;                               /* max keys per node; min keys of a non-root node */
static node *root;
static long splits, borrows, merges;

static node *new_node(int leaf) { node *x = calloc(1, sizeof *x); x->leaf = leaf; return x; }
static int upper(node *x, int k) { int i = 0; while (i < x->n && x->keys[i] <= k) i++; return i; }   /* bisect_right */

/* Insert into the subtree; if it splits, return the new right node and its separator. */
static node *insert(node *x, int k, int v, int *sep) {
    if (x->leaf) {
        int i = 0;
        while (i < x->n && x->keys[i] < k) i++;
        if (i < x->n && x->keys[i] == k) { x->val[i] = v; return NULL; }   /* update */
        memmove(x->keys + i + 1, x->keys + i, (x->n - i) * sizeof(int));
        memmove(x->val + i + 1, x->val + i, (x->n - i) * sizeof(int));
        x->keys[i] = k, x->val[i] = v, x->n++;
        if (x->n <= M) return NULL;
        node *r = new_node(1);                   /* leaf split: the separator is COPIED up */
        int left = (M + 1) / 2;
        r->n = x->n - left, x->n = left;
        memcpy(r->keys, x->keys + left, r->n * sizeof(int));
        memcpy(r->val, x->val + left, r->n * sizeof(int));
        r->next = x->next, r->prev = x;
        if (x->next) x->next->prev = r;
        x->next = r;
        *sep = r->keys[0];
        splits++;
        return r;
    }
    int i = upper(x, k), s;
    node *nr = insert(x->child[i], k, v, &s);
    if (!nr) return NULL;
    memmove(x->keys + i + 1, x->keys + i, (x->n - i) * sizeof(int));
    memmove(x->child + i + 2, x->child + i + 1, (x->n - i) * sizeof(node *));
    x->keys[i] = s, x->child[i + 1] = nr, x->n++;
    if (x->n <= M) return NULL;
    node *r = new_node(0);                       /* internal split: the middle key MOVES up */
    int mid = (M + 1) / 2;
    *sep = x->keys[mid];
    r->n = x->n - mid - 1;
    memcpy(r->keys, x->keys + mid + 1, r->n * sizeof(int));
    memcpy(r->child, x->child + mid + 1, (r->n + 1) * sizeof(node *));
    x->n = mid;
    splits++;
    return r;
}

static void put(int k, int v) {
    int sep;
    node *r = insert(root, k, v, &sep);
    if (r) { node *nr = new_node(0); nr->n = 1, nr->keys[0] = sep, nr->child[0] = root, nr->child[1] = r; root = nr; }
}

static void fix_child(node *x, int i) {          /* x->child[i] has MIN-1 keys: borrow or merge */
    node *c = x->child[i], *l = i > 0 ? x->child[i - 1] : NULL, *r = i < x->n ? x->child[i + 1] : NULL;
    if (l && l->n > MIN) {                        /* borrow the left sibling's last entry */
        borrows++;
        memmove(c->keys + 1, c->keys, c->n * sizeof(int));
        if (c->leaf) {
            memmove(c->val + 1, c->val, c->n * sizeof(int));
            c->keys[0] = l->keys[l->n - 1], c->val[0] = l->val[l->n - 1];
            x->keys[i - 1] = c->keys[0];          /* the separator follows the moved record */
        } else {
            memmove(c->child + 1, c->child, (c->n + 1) * sizeof(node *));
            c->keys[0] = x->keys[i - 1], c->child[0] = l->child[l->n];   /* rotate through the parent */
            x->keys[i - 1] = l->keys[l->n - 1];
        }
        l->n--, c->n++;
    } else if (r && r->n > MIN) {                 /* borrow the right sibling's first entry */
        borrows++;
        if (c->leaf) {
            c->keys[c->n] = r->keys[0], c->val[c->n] = r->val[0];
            memmove(r->keys, r->keys + 1, (r->n - 1) * sizeof(int));
            memmove(r->val, r->val + 1, (r->n - 1) * sizeof(int));
            x->keys[i] = r->keys[0];
        } else {
            c->keys[c->n] = x->keys[i], c->child[c->n + 1] = r->child[0];
            x->keys[i] = r->keys[0];
            memmove(r->keys, r->keys + 1, (r->n - 1) * sizeof(int));
            memmove(r->child, r->child + 1, r->n * sizeof(node *));
        }
        r->n--, c->n++;
    } else {                                      /* merge c with a sibling: the separator disappears */
        merges++;
        if (!r) { c = l, r = x->child[i], i--; }  /* the last child merges leftwards */
        if (c->leaf) {
            memcpy(c->keys + c->n, r->keys, r->n * sizeof(int));
            memcpy(c->val + c->n, r->val, r->n * sizeof(int));
            c->n += r->n;
            c->next = r->next;                    /* unlink r from the leaf chain */
            if (r->next) r->next->prev = c;
        } else {
            c->keys[c->n] = x->keys[i];           /* the separator comes down between the halves */
            memcpy(c->keys + c->n + 1, r->keys, r->n * sizeof(int));
            memcpy(c->child + c->n + 1, r->child, (r->n + 1) * sizeof(node *));
            c->n += r->n + 1;
        }
        memmove(x->keys + i, x->keys + i + 1, (x->n - i - 1) * sizeof(int));
        memmove(x->child + i + 1, x->child + i + 2, (x->n - i - 1) * sizeof(node *));
        x->n--;
        free(r);
    }
}

static int erase(node *x, int k) {               /* returns 1 if k was removed */
    if (x->leaf) {
        int i = 0;
        while (i < x->n && x->keys[i] < k) i++;
        if (i == x->n || x->keys[i] != k) return 0;
        memmove(x->keys + i, x->keys + i + 1, (x->n - i - 1) * sizeof(int));
        memmove(x->val + i, x->val + i + 1, (x->n - i - 1) * sizeof(int));
        x->n--;
        return 1;                                 /* separators above may now name a deleted key: still valid */
    }
    int i = upper(x, k);
    if (!erase(x->child[i], k)) return 0;
    if (x->child[i]->n < MIN) fix_child(x, i);
    return 1;
}

static void del(int k) {
    if (erase(root, k) && !root->leaf && root->n == 0) { node *old = root; root = root->child[0]; free(old); }
}

static int check(node *x, long lo, long hi, int depth, int *leaf_depth, node **last_leaf, int *count) {
    assert(x == root || (x->n >= MIN && x->n <= M));
    for (int i = 0; i < x->n; i++) assert(x->keys[i] >= lo && x->keys[i] < hi && (!i || x->keys[i - 1] < x->keys[i]));
    if (x->leaf) {
        if (*leaf_depth < 0) *leaf_depth = depth;
        assert(depth == *leaf_depth && x->prev == *last_leaf && (!*last_leaf || (*last_leaf)->next == x));
        *last_leaf = x, *count += x->n;
        return depth;
    }
    for (int i = 0; i <= x->n; i++)
        check(x->child[i], i ? x->keys[i - 1] : lo, i < x->n ? x->keys[i] : hi, depth + 1, leaf_depth, last_leaf, count);
    return *leaf_depth;
}

static node *find_leaf(int k) { node *x = root; while (!x->leaf) x = x->child[upper(x, k)]; return x; }

static void free_tree(node *x) { if (!x->leaf) for (int i = 0; i <= x->n; i++) free_tree(x->child[i]); free(x); }

#define RANGE 3000
int main(void) {
    int ms[] = {3, 4, 7};
    for (int t = 0; t < 3; t++) {
        M = ms[t], MIN = M / 2, splits = borrows = merges = 0;
        root = new_node(1);
        static int present[RANGE], value[RANGE];
        memset(present, 0, sizeof present);
        srand(M);
        int n = 0, h = 0;
        for (int step = 0; step < 8000; step++) {
            int k = rand() % RANGE;
            if (rand() % 100 < 60) { n += !present[k]; present[k] = 1, value[k] = step; put(k, step); }
            else { n -= present[k]; present[k] = 0; del(k); }
            int leaf_depth = -1, count = 0;
            node *last = NULL;
            h = check(root, -1, RANGE, 0, &leaf_depth, &last, &count);
            assert(count == n && (!last || !last->next));
        }
        int ok_scans = 0;
        for (int q = 0; q < 200; q++) {           /* range [a, b]: forward along next, backward along prev */
            int a = rand() % RANGE, b = a + rand() % 300, want = 0, got = 0;
            for (int k = a; k <= b && k < RANGE; k++) want += present[k];
            node *x = find_leaf(a);
            int first = -1, lastk = -1;
            for (; x; x = x->next) {
                int stop = 0;
                for (int i = 0; i < x->n; i++) {
                    if (x->keys[i] < a) continue;
                    if (x->keys[i] > b) { stop = 1; break; }
                    assert(present[x->keys[i]] && x->val[i] == value[x->keys[i]]);
                    if (first < 0) first = x->keys[i];
                    lastk = x->keys[i], got++;
                }
                if (stop) break;
            }
            assert(got == want);
            if (got) {                            /* and back from the last one to the first via prev */
                int back = 0;
                for (node *y = find_leaf(lastk); y; y = y->prev) {
                    int done = 0;
                    for (int i = y->n - 1; i >= 0; i--) {
                        if (y->keys[i] > lastk) continue;
                        if (y->keys[i] < first) { done = 1; break; }
                        back++;
                    }
                    if (done) break;
                }
                assert(back == got);
            }
            ok_scans++;
        }
        printf("M=%d: %d keys after 8000 random ops, leaves at depth %d; splits %ld, borrows %ld, merges %ld; "
               "%d range scans forward and backward match\n", M, n, h, splits, borrows, merges, ok_scans);
        assert(splits && borrows && merges);
        for (int k = 0; k < RANGE; k++) if (present[k]) del(k);
        assert(root->leaf && root->n == 0);
        free_tree(root);
    }
    return 0;
}
