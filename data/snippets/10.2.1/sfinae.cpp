// caption: 同一个“把值变成日志字符串”的需求写三遍：类模板特化、enable_if/void_t 的 SFINAE 重载、C++17 的 if constexpr；编译期用 static_assert 验证选中的分支，运行期打印结果
// point: 特化、SFINAE 与 if constexpr
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

// 1. Specialization: a primary template, a partial specialization for pointers, a full one for bool.
template <class T> struct Kind { static constexpr const char *name = "value"; };
template <class T> struct Kind<T *> { static constexpr const char *name = "pointer"; };
template <> struct Kind<bool> { static constexpr const char *name = "bool"; };

// 2. SFINAE: a trait that detects .size(), and overloads removed when their enable_if condition is false.
template <class T, class = void> struct has_size : std::false_type {};
template <class T> struct has_size<T, std::void_t<decltype(std::declval<const T &>().size())>> : std::true_type {};

template <class T> std::enable_if_t<std::is_integral_v<T>, std::string> show_sfinae(const T &v) {
    return "int:" + std::to_string(v);
}
template <class T> std::enable_if_t<std::is_floating_point_v<T>, std::string> show_sfinae(const T &v) {
    return "float:" + std::to_string(v);
}
template <class T> std::enable_if_t<has_size<T>::value, std::string> show_sfinae(const T &v) {
    return "container of " + std::to_string(v.size());
}

// 3. if constexpr: one function; the branches not taken are discarded and never instantiated for this T,
//    so v.size() is never compiled for an int.
template <class T> std::string show(const T &v) {
    if constexpr (std::is_integral_v<T>) return "int:" + std::to_string(v);
    else if constexpr (std::is_floating_point_v<T>) return "float:" + std::to_string(v);
    else if constexpr (has_size<T>::value) return "container of " + std::to_string(v.size());
    else static_assert(sizeof(T) == 0, "show(): unsupported type");
}

static_assert(std::string_view(Kind<int>::name) == "value" && std::string_view(Kind<int *>::name) == "pointer" &&
              std::string_view(Kind<bool>::name) == "bool");
static_assert(has_size<std::string>::value && has_size<std::map<int, int>>::value && !has_size<int>::value);

int main() {
    std::vector<int> v{1, 2, 3};
    std::string s = "hello";
    int x = 42;
    std::printf("Kind: int=%s, int*=%s, bool=%s\n", Kind<int>::name, Kind<decltype(&x)>::name, Kind<bool>::name);
    for (auto [a, b] : {std::pair{show_sfinae(x), show(x)}, {show_sfinae(2.5), show(2.5)},
                        {show_sfinae(v), show(v)}, {show_sfinae(s), show(s)}}) {
        std::printf("enable_if: %-18s if constexpr: %s\n", a.c_str(), b.c_str());
        assert(a == b);
    }
    return 0;
}
