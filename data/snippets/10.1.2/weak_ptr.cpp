// caption: weak_ptr 打破循环引用：父子互相持有 shared_ptr 时外部指针全部离开后析构函数一次也不运行（计数停在 1），把子指向父的一边换成 weak_ptr 后两个析构函数都运行；lock() 在对象活着时给出 shared_ptr、死后给出空；enable_shared_from_this 从 this 安全地拿到 shared_ptr
// point: weak_ptr 与循环引用
// timeout: 10
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <memory>
#include <vector>

static int dtors;
struct Node {
    std::shared_ptr<Node> child;
    std::shared_ptr<Node> parent_strong;           // the bug
    std::weak_ptr<Node> parent;                    // the fix
    ~Node() { ++dtors; }
};

struct Conn : std::enable_shared_from_this<Conn> {  // a callback must keep the connection alive
    std::vector<std::shared_ptr<Conn>> *pending;
    void start_read() { pending->push_back(shared_from_this()); }
};

int main() {
    Node *leaked_parent;
    {
        auto p = std::make_shared<Node>(), c = std::make_shared<Node>();
        p->child = c; c->parent_strong = p;        // cycle p -> c -> p
        leaked_parent = p.get();
        std::printf("strong cycle: use_count p=%ld c=%ld before leaving scope\n", p.use_count(), c.use_count());
    }
    std::printf("after scope: destructors run = %d (both nodes unreachable but alive)\n", dtors);
    assert(dtors == 0);
    leaked_parent->child->parent_strong.reset();   // break it by hand so the program ends clean
    assert(dtors == 2);

    dtors = 0;
    std::weak_ptr<Node> watch;
    {
        auto p = std::make_shared<Node>(), c = std::make_shared<Node>();
        p->child = c; c->parent = p;               // child only observes its parent
        watch = p;
        assert(p.use_count() == 1);                // weak_ptr does not count
        if (auto locked = c->parent.lock()) assert(locked == p);
    }
    std::printf("weak back edge: destructors run = %d, watch.expired() = %d, lock() empty = %d\n", dtors,
                (int)watch.expired(), (int)!watch.lock());
    assert(dtors == 2 && watch.expired() && !watch.lock());

    std::vector<std::shared_ptr<Conn>> pending;
    {
        auto conn = std::make_shared<Conn>();
        conn->pending = &pending;
        conn->start_read();                        // registers a second owner
        assert(conn.use_count() == 2);
    }
    assert(pending.size() == 1 && pending[0].use_count() == 1);  // survives until the callback runs
    std::printf("shared_from_this kept the connection alive after its creator left: use_count %ld\n",
                pending[0].use_count());
    pending.clear();
    return 0;
}
