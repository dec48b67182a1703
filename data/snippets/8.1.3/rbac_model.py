# caption: RBAC 授权规则的小模型（本机没有 kube-apiserver）：Role/ClusterRole 只列允许的动词和资源，RoleBinding 把它们授予用户、组或 ServiceAccount，并把 ClusterRole 的效力限制在一个 namespace；规则只加不减，没有 deny
# point: 用户认证与namespace设计
# timeout: 10
from dataclasses import dataclass

@dataclass(frozen=True)
class Rule:
    verbs: tuple
    resources: tuple
    api_groups: tuple = ("",)                 # "" is the core group (pods, services, secrets ...)
    def allows(self, verb, group, resource):
        return all(x in allowed or "*" in allowed
                   for x, allowed in ((verb, self.verbs), (group, self.api_groups), (resource, self.resources)))

roles = {                                     # (namespace or None for cluster-scoped, name) -> rules
    ("shop", "pod-reader"): [Rule(("get", "list", "watch"), ("pods", "pods/log"))],
    (None, "view"): [Rule(("get", "list", "watch"), ("pods", "services", "configmaps")),
                     Rule(("get", "list", "watch"), ("deployments",), ("apps",))],
    (None, "cluster-admin"): [Rule(("*",), ("*",), ("*",))],
}
bindings = [                                  # (binding namespace or None for ClusterRoleBinding, role ref, subjects)
    ("shop", ("shop", "pod-reader"), {"User:alice"}),
    ("shop", (None, "view"), {"Group:qa"}),                      # ClusterRole, but only inside "shop"
    ("shop", (None, "view"), {"ServiceAccount:shop:ci-bot"}),
    (None, (None, "cluster-admin"), {"Group:system:masters"}),
]

def authorize(user, groups, verb, resource, namespace, group=""):
    subjects = {f"User:{user}"} | {f"Group:{g}" for g in groups}
    if user.startswith("system:serviceaccount:"):
        subjects.add("ServiceAccount:" + ":".join(user.split(":")[2:]))
    for ns, ref, who in bindings:
        if subjects & who and (ns is None or ns == namespace):
            if any(r.allows(verb, group, resource) for r in roles[ref]):
                return True
    return False                              # nothing granted it: denied

cases = [
    ("alice", [], "list", "pods", "shop", "", True),
    ("alice", [], "delete", "pods", "shop", "", False),          # not in any rule
    ("alice", [], "list", "pods", "billing", "", False),         # Role lives in "shop" only
    ("bob", ["qa"], "get", "deployments", "shop", "apps", True),
    ("bob", ["qa"], "get", "deployments", "billing", "apps", False),  # RoleBinding scopes the ClusterRole
    ("bob", ["qa"], "get", "secrets", "shop", "", False),        # "view" leaves secrets out
    ("system:serviceaccount:shop:ci-bot", ["system:serviceaccounts"], "watch", "services", "shop", "", True),
    ("root", ["system:masters"], "delete", "nodes", None, "", True),
]
for user, groups, verb, res, ns, grp, want in cases:
    got = authorize(user, groups, verb, res, ns, grp)
    print(f"{user[:34]:34s} {verb:6s} {(grp + '/' if grp else '') + res:16s} in {ns or '(cluster)':9s} -> {'allow' if got else 'deny'}")
    assert got == want
print("OK: bindings grant, namespaces scope, and whatever is not granted is denied")
