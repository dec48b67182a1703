// caption: C++ 标准库版：同样 200 万个数取前 100 大，priority_queue 小顶堆、std::sort 全排序、std::nth_element（introselect）、std::partial_sort，四者结果相同；sort 最慢
// point: 用堆求 Top K
// timeout: 30
#undef NDEBUG
#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <queue>
#include <random>
#include <vector>

template <class F> static double ms(F f) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int main() {
    const size_t n = 2000000, k = 100;
    std::mt19937 rng(42);
    std::vector<uint32_t> data(n);
    for (auto &x : data) x = rng();

    std::vector<uint32_t> heap_out, sorted = data, nth = data, partial = data;
    double t_heap = ms([&] {
        std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> h;   // min-heap of the best k
        for (uint32_t x : data)
            if (h.size() < k) h.push(x);
            else if (x > h.top()) h.pop(), h.push(x);
        for (; !h.empty(); h.pop()) heap_out.push_back(h.top());
        std::reverse(heap_out.begin(), heap_out.end());
    });
    double t_sort = ms([&] { std::sort(sorted.begin(), sorted.end(), std::greater<>()); });
    double t_nth = ms([&] {
        std::nth_element(nth.begin(), nth.begin() + k - 1, nth.end(), std::greater<>());  // O(n) average
        std::sort(nth.begin(), nth.begin() + k, std::greater<>());
    });
    double t_partial = ms([&] { std::partial_sort(partial.begin(), partial.begin() + k, partial.end(), std::greater<>()); });

    sorted.resize(k), nth.resize(k), partial.resize(k);
    assert(heap_out == sorted && nth == sorted && partial == sorted);
    std::printf("n=%zu k=%zu, top-1 %u, k-th %u: all four agree\n", n, k, sorted[0], sorted[k - 1]);
    std::printf("priority_queue %.1f ms, nth_element %.1f ms, partial_sort %.1f ms, sort %.1f ms\n", t_heap, t_nth,
                t_partial, t_sort);
    assert(t_sort > 2 * t_heap && t_sort > 2 * t_partial);
    return 0;
}
