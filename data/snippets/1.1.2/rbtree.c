// caption: C 版红黑树：哨兵 nil 节点、左旋右旋、插入修复三种情况、删除修复四种情况；2 万次随机插入删除与位图对照，每步检查全部性质和 parent 指针，统计各情况命中次数并验证高度不超过 2·log2(n+1)
// point: 红黑树删除的实现与删除四种情况的证明
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

enum { RED, BLACK };
typedef struct node { int key, color; struct node *left, *right, *parent; } node;

static node nil_node = {0, BLACK, &nil_node, &nil_node, &nil_node};   /* every leaf is this black node */
#define NIL (&nil_node)
static node *root = NIL;
static long ins_case[4], del_case[5];

static void rotate_left(node *x) {              /* x's right child y takes x's place */
    node *y = x->right;
    x->right = y->left;
    if (y->left != NIL) y->left->parent = x;
    y->parent = x->parent;
    if (x->parent == NIL) root = y;
    else if (x == x->parent->left) x->parent->left = y;
    else x->parent->right = y;
    y->left = x;
    x->parent = y;
}

static void rotate_right(node *x) {             /* mirror image */
    node *y = x->left;
    x->left = y->right;
    if (y->right != NIL) y->right->parent = x;
    y->parent = x->parent;
    if (x->parent == NIL) root = y;
    else if (x == x->parent->right) x->parent->right = y;
    else x->parent->left = y;
    y->right = x;
    x->parent = y;
}

static void insert_fixup(node *z) {
    while (z->parent->color == RED) {           /* red parent: property 4 broken */
        node *p = z->parent, *g = p->parent;
        int left = (p == g->left);
        node *u = left ? g->right : g->left;    /* uncle */
        if (u->color == RED) {                  /* case 1: recolour, move the problem two levels up */
            ins_case[1]++;
            p->color = u->color = BLACK;
            g->color = RED;
            z = g;
            continue;
        }
        if (z == (left ? p->right : p->left)) { /* case 2: zig-zag -> zig-zig */
            ins_case[2]++;
            z = p;
            left ? rotate_left(z) : rotate_right(z);
            p = z->parent;
        }
        ins_case[3]++;                          /* case 3: rotate the grandparent, done */
        p->color = BLACK;
        g->color = RED;
        left ? rotate_right(g) : rotate_left(g);
    }
    root->color = BLACK;
}

static int insert(int key) {
    node *y = NIL, *x = root;
    while (x != NIL) {
        y = x;
        if (key == x->key) return 0;
        x = key < x->key ? x->left : x->right;
    }
    node *z = malloc(sizeof *z);
    *z = (node){key, RED, NIL, NIL, y};
    if (y == NIL) root = z;
    else if (key < y->key) y->left = z;
    else y->right = z;
    insert_fixup(z);
    return 1;
}

static void transplant(node *u, node *v) {      /* v replaces u under u's parent (v may be NIL) */
    if (u->parent == NIL) root = v;
    else if (u == u->parent->left) u->parent->left = v;
    else u->parent->right = v;
    v->parent = u->parent;                      /* writes NIL's parent on purpose: fixup reads it */
}

static void delete_fixup(node *x) {             /* x carries an extra black */
    while (x != root && x->color == BLACK) {
        int left = (x == x->parent->left);
        node *w = left ? x->parent->right : x->parent->left;   /* sibling */
        if (w->color == RED) {                  /* case 1: red sibling -> black sibling */
            del_case[1]++;
            w->color = BLACK;
            x->parent->color = RED;
            left ? rotate_left(x->parent) : rotate_right(x->parent);
            w = left ? x->parent->right : x->parent->left;
        }
        node *near = left ? w->left : w->right, *far = left ? w->right : w->left;
        if (near->color == BLACK && far->color == BLACK) {     /* case 2: push the extra black up */
            del_case[2]++;
            w->color = RED;
            x = x->parent;
            continue;
        }
        if (far->color == BLACK) {              /* case 3: near red, far black -> far red */
            del_case[3]++;
            near->color = BLACK;
            w->color = RED;
            left ? rotate_right(w) : rotate_left(w);
            w = left ? x->parent->right : x->parent->left;
            far = left ? w->right : w->left;
        }
        del_case[4]++;                          /* case 4: far red: one rotation absorbs the extra black */
        w->color = x->parent->color;
        x->parent->color = BLACK;
        far->color = BLACK;
        left ? rotate_left(x->parent) : rotate_right(x->parent);
        x = root;
    }
    x->color = BLACK;
}

static int erase(int key) {
    node *z = root;
    while (z != NIL && z->key != key) z = key < z->key ? z->left : z->right;
    if (z == NIL) return 0;
    node *y = z, *x;
    int y_color = y->color;
    if (z->left == NIL) { x = z->right; transplant(z, z->right); }
    else if (z->right == NIL) { x = z->left; transplant(z, z->left); }
    else {
        y = z->right;                           /* successor: leftmost of the right subtree */
        while (y->left != NIL) y = y->left;
        y_color = y->color;
        x = y->right;
        if (y->parent == z) x->parent = y;
        else { transplant(y, y->right); y->right = z->right; y->right->parent = y; }
        transplant(z, y);
        y->left = z->left;
        y->left->parent = y;
        y->color = z->color;
    }
    free(z);
    if (y_color == BLACK) delete_fixup(x);      /* removing a black node broke property 5 */
    return 1;
}

/* Checks every property; returns the black height. */
static int check(node *n, long lo, long hi, int *count, int *height, int depth) {
    if (n == NIL) { if (depth > *height) *height = depth; return 1; }
    assert(n->key > lo && n->key < hi);                          /* search-tree order */
    assert(n->left == NIL || n->left->parent == n);
    assert(n->right == NIL || n->right->parent == n);
    if (n->color == RED) assert(n->left->color == BLACK && n->right->color == BLACK);   /* no red-red */
    int bl = check(n->left, lo, n->key, count, height, depth + 1);
    int br = check(n->right, n->key, hi, count, height, depth + 1);
    assert(bl == br);                                            /* equal black heights */
    ++*count;
    return bl + (n->color == BLACK);
}

#define RANGE 4096
int main(void) {
    static char present[RANGE];
    int n = 0, max_n = 0, height_at_max = 0, bound_ok = 1;
    srand(7);
    for (int step = 0; step < 20000; step++) {
        int k = rand() % RANGE;
        if (rand() % 100 < 55) { assert(insert(k) == !present[k]); n += !present[k]; present[k] = 1; }
        else { assert(erase(k) == present[k]); n -= present[k]; present[k] = 0; }
        int count = 0, height = 0;
        assert(root->color == BLACK && root->parent == NIL);
        check(root, -1, RANGE, &count, &height, 0);
        assert(count == n);
        bound_ok &= (1ULL << height) <= (unsigned long long)(n + 1) * (n + 1);   /* h <= 2 log2(n+1) */
        if (n > max_n) max_n = n, height_at_max = height;
    }
    printf("20000 random operations, %d keys left, all properties held after every step\n", n);
    printf("insert: case1 recolour %ld, case2 zig-zag %ld, case3 rotate %ld\n", ins_case[1], ins_case[2], ins_case[3]);
    printf("delete: case1 red sibling %ld, case2 push up %ld, case3 near red %ld, case4 far red %ld\n",
           del_case[1], del_case[2], del_case[3], del_case[4]);
    int lg = 0;
    while ((2 << lg) <= max_n + 1) lg++;
    printf("at the largest size, %d keys: height %d (floor log2(n+1) = %d, bound 2*log2(n+1))\n", max_n, height_at_max, lg);
    assert(bound_ok);
    for (int i = 1; i <= 3; i++) assert(ins_case[i] > 0);
    for (int i = 1; i <= 4; i++) assert(del_case[i] > 0);
    for (int k = 0; k < RANGE; k++) if (present[k]) assert(erase(k));
    assert(root == NIL);
    return 0;
}
