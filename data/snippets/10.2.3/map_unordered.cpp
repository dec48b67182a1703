// caption: std::map 就是 libstdc++ 的 _Rb_tree：按升序插入 10 万个键后，沿 _M_node 指针走一遍树，检查红黑性质并量出高度（远小于 10 万，不超过 2·log2(n+1)）；unordered_map 的桶数按素数表增长，负载因子始终不超过 1.0，重新散列后元素地址不变
// point: map 与 unordered_map 的实现
// timeout: 20
#undef NDEBUG
#include <cassert>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>

using Base = std::_Rb_tree_node_base;                    // libstdc++ internals: bits/stl_tree.h

static int check(const Base *n, int depth, int *height) {  // returns the black height, asserts the rules
    if (!n) return 1;
    *height = std::max(*height, depth);
    if (n->_M_color == std::_S_red) {
        assert(!n->_M_left || n->_M_left->_M_color == std::_S_black);    // no red node has a red child
        assert(!n->_M_right || n->_M_right->_M_color == std::_S_black);
    }
    int l = check(n->_M_left, depth + 1, height), r = check(n->_M_right, depth + 1, height);
    assert(l == r);                                        // same number of black nodes on every path
    return l + (n->_M_color == std::_S_black);
}

static bool is_prime(size_t n) {
    if (n < 2) return false;
    for (size_t d = 2; d * d <= n; d++) if (n % d == 0) return false;
    return true;
}

int main() {
    const int n = 100000;
    std::map<int, int> m;
    for (int i = 0; i < n; i++) m.emplace(i, i);           // sorted input: a plain BST would be a list
    const Base *header = m.end()._M_node, *root = header->_M_parent;
    assert(root->_M_color == std::_S_black && root->_M_parent == header);
    assert(header->_M_left == m.begin()._M_node);          // header caches leftmost: begin() is O(1)
    int height = 0, bh = check(root, 1, &height);
    std::printf("map: %d keys inserted in order, height %d (log2(n+1) = %.1f, bound 2*log2 = %.1f), black height %d\n",
                n, height, std::log2(n + 1.0), 2 * std::log2(n + 1.0), bh);
    assert(height <= 2 * std::log2(n + 1.0));
    std::printf("map node = %zu bytes of links + pair<const int,int>\n", sizeof(Base));

    std::unordered_map<int, int> u;
    std::string seq = std::to_string(u.bucket_count());
    const int *kept = nullptr;
    int rehashes = 0;
    for (int i = 0; i < n; i++) {
        size_t before = u.bucket_count();
        u.emplace(i, i);
        if (i == 0) kept = &u.find(0)->second;
        assert(u.load_factor() <= u.max_load_factor());
        if (u.bucket_count() != before) {
            rehashes++;
            seq += " " + std::to_string(u.bucket_count());
            assert(is_prime(u.bucket_count()));
            assert(&u.find(0)->second == kept);            // nodes are relinked, not moved
        }
    }
    std::printf("unordered_map: max_load_factor %.1f, bucket_count: %s\n", u.max_load_factor(), seq.c_str());
    std::printf("%d rehashes for %d inserts; element 0 kept its address through all of them\n", rehashes, n);
    assert(rehashes < 20);
    u.reserve(4 * n);                                       // explicit: enough buckets for 4n elements
    assert(u.bucket_count() >= 4 * static_cast<size_t>(n) && &u.find(0)->second == kept);
    std::printf("reserve(%d): bucket_count %zu\n", 4 * n, u.bucket_count());
    return 0;
}
