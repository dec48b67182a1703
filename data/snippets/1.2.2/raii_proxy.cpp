// caption: C++ 的代理与 RAII：fd 的 RAII 包装在异常中途也会关闭（移动后的空壳不重复关闭），unique_ptr 加自定义删除器管 FILE*，以及“环绕执行”代理：operator-> 返回一个临时的加锁对象，让每次经代理的成员调用都在锁内完成
// point: 代理模式
// timeout: 20
#undef NDEBUG
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

static bool fd_open(int fd) { return fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

class UniqueFd {                                   // owns one file descriptor
    int fd_ = -1;
public:
    explicit UniqueFd(int fd) : fd_(fd) { if (fd_ < 0) throw std::runtime_error("open failed"); }
    UniqueFd(UniqueFd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd &operator=(UniqueFd &&o) noexcept { if (this != &o) { reset(); fd_ = std::exchange(o.fd_, -1); } return *this; }
    UniqueFd(const UniqueFd &) = delete;           // one owner: copying would close twice
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd() { reset(); }
    void reset() { if (fd_ >= 0) close(fd_); fd_ = -1; }
    int get() const { return fd_; }
};

template <class T> class Synchronized {           // every access through -> holds the mutex
    T obj_;
    std::mutex m_;
public:
    long locks = 0;                               // only changed while m_ is held
    class LockedPtr {
        Synchronized *s_;
    public:
        explicit LockedPtr(Synchronized *s) : s_(s) { s_->m_.lock(); s_->locks++; }
        ~LockedPtr() { s_->m_.unlock(); }         // end of the full expression: unlock
        LockedPtr(const LockedPtr &) = delete;
        LockedPtr &operator=(const LockedPtr &) = delete;
        T *operator->() { return &s_->obj_; }
    };
    LockedPtr operator->() { return LockedPtr(this); }   // C++17: no copy, the temporary lives until ';'
};

int main() {
    int seen = -1;
    try {
        UniqueFd f(open("/dev/null", O_RDONLY));
        seen = f.get();
        UniqueFd g = std::move(f);                // ownership moves; f is empty and will not close
        assert(f.get() == -1 && fd_open(seen));
        throw std::runtime_error("error halfway through");
    } catch (const std::runtime_error &e) {
        std::printf("exception '%s': fd %d open afterwards? %s\n", e.what(), seen, fd_open(seen) ? "yes" : "no");
    }
    assert(!fd_open(seen));                       // the destructor ran during stack unwinding

    {
        std::unique_ptr<FILE, int (*)(FILE *)> fp(std::fopen("/dev/null", "w"), &std::fclose);
        assert(fp);
        std::fprintf(fp.get(), "discarded\n");
        seen = fileno(fp.get());
    }                                             // fclose() here
    assert(!fd_open(seen));
    std::printf("unique_ptr<FILE, fclose>: fd %d closed at the end of its scope\n", seen);

    Synchronized<std::vector<int>> v;
    std::vector<std::thread> ts;
    for (int t = 0; t < 8; t++)
        ts.emplace_back([&v, t] { for (int i = 0; i < 10000; i++) v->push_back(t); });
    for (auto &t : ts) t.join();
    long pushes = v.locks;                        // threads joined: no one else touches it now
    size_t n = v->size();                         // this call locks once more
    std::printf("8 threads x 10000 push_back through the proxy: size %zu, lock taken %ld times\n", n, pushes);
    assert(n == 80000 && pushes == 80000 && v.locks == 80001);
    return 0;
}
