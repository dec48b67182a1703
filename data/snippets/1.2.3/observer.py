# caption: 观察者模式：订单事件总线，弱引用订阅防止内存泄漏、订阅者异常互相隔离、取消订阅，以及弱引用 lambda 的坑
# point: 观察者模式
"""Observer: subjects publish events, observers subscribe without coupling.

EventBus keeps WEAK references by default (as Django signals do), so an
observer that is otherwise unreachable is not kept alive by the bus.
One failing observer must not stop the others or the publisher.
Pitfall: a lambda subscribed weakly dies immediately -> pass weak=False.
"""
import gc
import weakref
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderPlaced:
    order_id: int
    user_id: int
    amount_cents: int


class EventBus:
    def __init__(self):
        self._subs = defaultdict(list)     # event type -> [callable returning cb or None]
        self.errors = []

    def subscribe(self, event_type, callback, weak=True):
        if not weak:
            ref = lambda cb=callback: cb                       # strong
        elif hasattr(callback, "__self__"):
            ref = weakref.WeakMethod(callback)                 # bound method
        else:
            ref = weakref.ref(callback)                        # plain function
        self._subs[event_type].append(ref)
        return lambda: self._subs[event_type].remove(ref)      # unsubscribe

    def publish(self, event):
        delivered = 0
        alive = []
        for ref in list(self._subs[type(event)]):              # copy: safe to mutate
            cb = ref()
            if cb is None:
                continue                                       # observer is gone
            alive.append(ref)
            try:
                cb(event)
                delivered += 1
            except Exception as e:                             # isolate failures
                self.errors.append((getattr(cb, "__qualname__", repr(cb)), repr(e)))
        self._subs[type(event)] = alive
        return delivered

    def count(self, event_type):
        return len(self._subs[event_type])


class CacheInvalidator:
    def __init__(self):
        self.deleted = []

    def on_order(self, ev):
        self.deleted.append(f"user:{ev.user_id}:orders")


class Metrics:
    def __init__(self):
        self.revenue = 0

    def on_order(self, ev):
        self.revenue += ev.amount_cents


class Mailer:
    def on_order(self, ev):
        raise TimeoutError("smtp 127.0.0.1:25 timed out")


bus = EventBus()
inval, metrics, mailer = CacheInvalidator(), Metrics(), Mailer()
bus.subscribe(OrderPlaced, inval.on_order)
bus.subscribe(OrderPlaced, metrics.on_order)
bus.subscribe(OrderPlaced, mailer.on_order)

n = bus.publish(OrderPlaced(order_id=1, user_id=7, amount_cents=1999))
assert n == 2 and inval.deleted == ["user:7:orders"] and metrics.revenue == 1999
assert bus.errors == [("Mailer.on_order", "TimeoutError('smtp 127.0.0.1:25 timed out')")]
print(f"publish #1: delivered to {n} observers, isolated error: {bus.errors[0][0]}")

del mailer                       # nobody else references the Mailer any more
gc.collect()
n = bus.publish(OrderPlaced(order_id=2, user_id=8, amount_cents=501))
assert n == 2 and bus.count(OrderPlaced) == 2 and len(bus.errors) == 1
print(f"publish #2: Mailer was garbage-collected, bus now holds {bus.count(OrderPlaced)} subscriptions")

audit = []
bus.subscribe(OrderPlaced, lambda ev: audit.append(ev.order_id))          # weak!
unsubscribe = bus.subscribe(OrderPlaced, lambda ev: audit.append(-ev.order_id), weak=False)
gc.collect()
bus.publish(OrderPlaced(order_id=3, user_id=9, amount_cents=100))
assert audit == [-3], audit
print(f"weak lambda never fired, strong lambda did: audit = {audit}")

unsubscribe()
bus.publish(OrderPlaced(order_id=4, user_id=9, amount_cents=100))
assert audit == [-3] and metrics.revenue == 1999 + 501 + 100 + 100
print(f"after unsubscribe: audit = {audit}, revenue = {metrics.revenue} cents")
print("all observer checks passed")
