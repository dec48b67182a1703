// caption: C 版 B 树（最小度数 t = 2、3、5）：自顶向下分裂的插入，删除的内部键取前驱/后继/合并与下降前的左借、右借、合并，查找与中序遍历；随机插入删除与位图对照，每步检查键数上下限、有序、叶子同深，统计每条分支
// point: 手撕B树的插入,删除,遍历,查找
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TMAX 5
typedef struct node { int n, leaf, keys[2 * TMAX - 1]; struct node *c[2 * TMAX]; } node;
static int T;                                     /* minimum degree of the tree under test */
static node *root;
static long hits[9];                               /* which branch each deletion step took */
static const char *names[9] = {"leaf remove", "pred", "succ", "merge(key)", "borrow left", "borrow right",
                               "merge left", "merge right", "root split"};

static node *new_node(int leaf) { node *x = calloc(1, sizeof *x); x->leaf = leaf; return x; }

static int find(node *x, int k) { int i = 0; while (i < x->n && x->keys[i] < k) i++; return i; }

static int search(node *x, int k) {
    while (x) {
        int i = find(x, k);
        if (i < x->n && x->keys[i] == k) return 1;
        x = x->leaf ? NULL : x->c[i];
    }
    return 0;
}

static void split_child(node *x, int i) {          /* x->c[i] is full: its median moves up into x */
    node *y = x->c[i], *z = new_node(y->leaf);
    z->n = T - 1;
    memcpy(z->keys, y->keys + T, (T - 1) * sizeof(int));
    if (!y->leaf) memcpy(z->c, y->c + T, T * sizeof(node *));
    y->n = T - 1;                                   /* the median leaves y: it is not copied */
    memmove(x->c + i + 2, x->c + i + 1, (x->n - i) * sizeof(node *));
    memmove(x->keys + i + 1, x->keys + i, (x->n - i) * sizeof(int));
    x->c[i + 1] = z;
    x->keys[i] = y->keys[T - 1];
    x->n++;
}

static void insert(int k) {
    if (root->n == 2 * T - 1) {                     /* full root: the only way the tree grows taller */
        node *s = new_node(0);
        s->c[0] = root;
        root = s;
        split_child(s, 0);
        hits[8]++;
    }
    node *x = root;
    while (!x->leaf) {
        int i = find(x, k);
        if (x->c[i]->n == 2 * T - 1) { split_child(x, i); if (k > x->keys[i]) i++; }   /* split on the way down */
        x = x->c[i];
    }
    int i = find(x, k);
    memmove(x->keys + i + 1, x->keys + i, (x->n - i) * sizeof(int));
    x->keys[i] = k;
    x->n++;
}

static void merge(node *x, int i) {                /* c[i] + keys[i] + c[i+1] -> c[i] (2t-1 keys) */
    node *y = x->c[i], *z = x->c[i + 1];
    y->keys[y->n] = x->keys[i];
    memcpy(y->keys + y->n + 1, z->keys, z->n * sizeof(int));
    if (!y->leaf) memcpy(y->c + y->n + 1, z->c, (z->n + 1) * sizeof(node *));
    y->n += z->n + 1;
    memmove(x->keys + i, x->keys + i + 1, (x->n - i - 1) * sizeof(int));
    memmove(x->c + i + 1, x->c + i + 2, (x->n - i - 1) * sizeof(node *));
    x->n--;
    free(z);
}

static void erase(node *x, int k) {               /* precondition: x has >= t keys, or x is the root */
    int i = find(x, k);
    if (i < x->n && x->keys[i] == k) {
        if (x->leaf) {                              /* case 1 */
            hits[0]++;
            memmove(x->keys + i, x->keys + i + 1, (x->n - i - 1) * sizeof(int));
            x->n--;
            return;
        }
        node *y = x->c[i], *z = x->c[i + 1];
        if (y->n >= T) {                            /* case 2a: replace by the predecessor */
            hits[1]++;
            node *p = y;
            while (!p->leaf) p = p->c[p->n];
            x->keys[i] = p->keys[p->n - 1];
            erase(y, x->keys[i]);
        } else if (z->n >= T) {                     /* case 2b: replace by the successor */
            hits[2]++;
            node *s = z;
            while (!s->leaf) s = s->c[0];
            x->keys[i] = s->keys[0];
            erase(z, x->keys[i]);
        } else {                                    /* case 2c: both t-1: merge, then delete inside */
            hits[3]++;
            merge(x, i);
            erase(y, k);
        }
        return;
    }
    if (x->leaf) return;                            /* not in the tree */
    node *c = x->c[i];
    if (c->n == T - 1) {                            /* case 3: give c a t-th key before descending */
        node *l = i > 0 ? x->c[i - 1] : NULL, *r = i < x->n ? x->c[i + 1] : NULL;
        if (l && l->n >= T) {                       /* 3a: rotate through the parent from the left */
            hits[4]++;
            memmove(c->keys + 1, c->keys, c->n * sizeof(int));
            if (!c->leaf) memmove(c->c + 1, c->c, (c->n + 1) * sizeof(node *));
            c->keys[0] = x->keys[i - 1];
            if (!c->leaf) c->c[0] = l->c[l->n];
            x->keys[i - 1] = l->keys[l->n - 1];
            l->n--, c->n++;
        } else if (r && r->n >= T) {                /* 3a: from the right */
            hits[5]++;
            c->keys[c->n] = x->keys[i];
            if (!c->leaf) c->c[c->n + 1] = r->c[0];
            x->keys[i] = r->keys[0];
            memmove(r->keys, r->keys + 1, (r->n - 1) * sizeof(int));
            if (!r->leaf) memmove(r->c, r->c + 1, r->n * sizeof(node *));
            r->n--, c->n++;
        } else if (l) {                             /* 3b: merge with the left sibling */
            hits[6]++;
            merge(x, i - 1);
            c = x->c[i - 1];                        /* the last child can only merge leftwards */
        } else {
            hits[7]++;
            merge(x, i);
        }
    }
    erase(c, k);
}

static void remove_key(int k) {
    erase(root, k);
    if (root->n == 0 && !root->leaf) { node *old = root; root = root->c[0]; free(old); }   /* shrink */
}

static int check(node *x, long lo, long hi, int depth, int *leaf_depth, int *count, int *out, int *m) {
    assert(x == root ? (x->n >= 0) : (x->n >= T - 1 && x->n <= 2 * T - 1));
    for (int i = 0; i < x->n; i++) {
        assert(x->keys[i] > lo && x->keys[i] < hi && (i == 0 || x->keys[i - 1] < x->keys[i]));
    }
    if (x->leaf) {
        if (*leaf_depth < 0) *leaf_depth = depth;
        assert(depth == *leaf_depth);               /* every leaf at the same depth */
        for (int i = 0; i < x->n; i++) out[(*m)++] = x->keys[i];
    } else {
        for (int i = 0; i <= x->n; i++) {           /* in-order: child, key, child, key, ... */
            check(x->c[i], i ? x->keys[i - 1] : lo, i < x->n ? x->keys[i] : hi, depth + 1, leaf_depth, count, out, m);
            if (i < x->n) out[(*m)++] = x->keys[i];
        }
    }
    *count += x->n;
    return *leaf_depth;
}

static void free_tree(node *x) { if (!x->leaf) for (int i = 0; i <= x->n; i++) free_tree(x->c[i]); free(x); }

#define RANGE 2000
int main(void) {
    static int out[RANGE];
    for (T = 2; T <= TMAX; T += T == 2 ? 1 : 2) {
        static char present[RANGE];
        memset(present, 0, sizeof present);
        memset(hits, 0, sizeof hits);
        root = new_node(1);
        int n = 0, max_h = 0;
        srand(T);
        for (int step = 0; step < 6000; step++) {
            int k = rand() % RANGE;
            assert(search(root, k) == present[k]);
            if (rand() % 100 < 60) { if (!present[k]) insert(k), n++; present[k] = 1; }
            else { if (present[k]) remove_key(k), n--; present[k] = 0; }
            int leaf_depth = -1, count = 0, m = 0;
            int h = check(root, -1, RANGE, 0, &leaf_depth, &count, out, &m);
            assert(count == n && m == n && (n == 0 || root->n > 0));   /* a non-empty tree has a non-empty root */
            for (int i = 1; i < m; i++) assert(out[i - 1] < out[i]);     /* traversal is sorted */
            long need = 2;                                                /* h <= log_t((n+1)/2) */
            for (int j = 0; j < h; j++) need *= T;
            assert(n == 0 || need <= n + 1);
            if (h > max_h) max_h = h;
        }
        for (int k = 0; k < RANGE; k++) if (present[k]) remove_key(k), n--;
        assert(n == 0 && root->n == 0 && root->leaf);
        printf("t=%d: max height %d;", T, max_h);
        for (int b = 0; b < 9; b++) { printf(" %s %ld%s", names[b], hits[b], b < 8 ? "," : "\n"); assert(hits[b] > 0); }
        free_tree(root);
    }
    return 0;
}
